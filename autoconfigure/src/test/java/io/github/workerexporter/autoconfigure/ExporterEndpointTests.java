package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.storage.BinarySnapshotCodec;
import org.jspecify.annotations.Nullable;
import io.github.workerexporter.merge.WorkerCensus;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.autoconfigure.ExporterEndpoint.ExporterDescriptor;
import io.github.workerexporter.autoconfigure.ExporterEndpoint.StoredWorker;
import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.merge.GaugeMode;
import io.github.workerexporter.storage.InMemoryMetricStore;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

import org.springframework.boot.LazyInitializationExcludeFilter;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Tests of the {@code exporter} Actuator endpoint: when it exists, and what it answers.
 * {@link ExporterEndpointHttpTests} asks a running application over HTTP.
 *
 * @author Worker Exporter
 */
class ExporterEndpointTests {

    private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

    private static final WorkerIdentity SELF = new WorkerIdentity("w1", 42, Instant.parse("2025-01-01T11:00:00Z"));

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(
                AutoConfigurations.of(WorkerExporterAutoConfiguration.class, ExporterEndpointAutoConfiguration.class))
        .withPropertyValues("exporter.prometheus.metrics-port=0");

    @Test
    void endpointIsAbsentUnlessExposed() {
        this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(ExporterEndpoint.class));
    }

    @Test
    void endpointIsPresentWhenExposed() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=exporter")
            .run((context) -> assertThat(context).hasSingleBean(ExporterEndpoint.class));
    }

    @Test
    void endpointIsAbsentWithoutActuatorWhileLazyInitializationIsStillHandled() {
        this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
            .withPropertyValues("management.endpoints.web.exposure.include=exporter")
            .run((context) -> {
                assertThat(context).hasNotFailed().doesNotHaveBean(ExporterEndpoint.class);
                assertThat(context).hasSingleBean(LazyInitializationExcludeFilter.class);
            });
    }

    @Test
    void endpointIsAbsentWhenTheExporterIsDisabled() {
        this.contextRunner
            .withPropertyValues("management.endpoints.web.exposure.include=exporter", "exporter.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(ExporterEndpoint.class));
    }

    @Test
    void backsOffWhenUserDefinesExporterEndpoint() {
        this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=exporter")
            .withUserConfiguration(UserEndpointConfiguration.class)
            .run((context) -> assertThat(context).getBean(ExporterEndpoint.class)
                .isSameAs(context.getBean("userExporterEndpoint")));
    }

    @Test
    void endpointReadsTheStoreBeanWithTheConfiguredHeartbeatTimeout() {
        this.contextRunner
            .withPropertyValues("management.endpoints.web.exposure.include=exporter",
                    "exporter.storage.heartbeat-timeout=20s")
            .withUserConfiguration(StoreConfiguration.class)
            .run((context) -> {
                ExporterDescriptor descriptor = context.getBean(ExporterEndpoint.class).exporter();
                assertThat(descriptor.storage().store()).isEqualTo("memory");
                assertThat(descriptor.storage().heartbeatTimeout()).isEqualTo(Duration.ofSeconds(20));
                assertThat(descriptor.configuration()).containsEntry("exporter.storage.heartbeat-timeout", "PT20S");
            });
    }

    @Test
    void describesThisWorker() {
        ExporterDescriptor descriptor = endpoint(null).exporter();
        assertThat(descriptor.worker().id()).isEqualTo("w1");
        assertThat(descriptor.worker().pid()).isEqualTo(42);
        assertThat(descriptor.worker().startTime()).isEqualTo(SELF.startTime());
    }

    @Test
    void reportsNoStoreInInProcessMode() {
        ExporterDescriptor descriptor = endpoint(null).exporter();
        assertThat(descriptor.storage().store()).isEqualTo("none");
        assertThat(descriptor.storage().workers()).isEmpty();
        assertThat(descriptor.storage().error()).isNull();
    }

    @Test
    void describesTheStoredWorkersAsAliveStoppedOrLost() {
        InMemoryMetricStore store = new InMemoryMetricStore();
        store.publish(record("alive", "running", NOW.minusSeconds(15), null));
        store.publish(record("stopped", "stopped", NOW.minusSeconds(60), "hup"));
        store.publish(record("lost", "running", NOW.minusSeconds(16), null));
        List<StoredWorker> workers = endpoint(store).exporter().storage().workers();
        assertThat(workers).extracting(StoredWorker::id, StoredWorker::status)
            .containsExactlyInAnyOrder(tuple("alive", "alive"), tuple("stopped", "stopped"), tuple("lost", "lost"));
        StoredWorker stopped = workers.stream().filter((worker) -> worker.id().equals("stopped")).findFirst().get();
        assertThat(stopped.state()).isEqualTo("stopped");
        assertThat(stopped.stopReason()).isEqualTo("hup");
        assertThat(stopped.pid()).isEqualTo(7);
        assertThat(stopped.lastHeartbeat()).isEqualTo(NOW.minusSeconds(60));
        assertThat(stopped.startTime()).isEqualTo(Instant.parse("2025-01-01T10:00:00Z"));
    }

    @Test
    void reportsAStoreThatCannotBeReadAsAnError() {
        ExporterDescriptor descriptor = endpoint(new UnreadableStore(new StoreException("Redis unreachable")))
            .exporter();
        assertThat(descriptor.storage().store()).isEqualTo("unreadable");
        assertThat(descriptor.storage().error()).isEqualTo("Redis unreachable");
        assertThat(descriptor.storage().workers()).isEmpty();
    }

    @Test
    void reportsAStoreThatBreaksItsContractAsAnError() {
        ExporterDescriptor descriptor = endpoint(new UnreadableStore(new IllegalStateException("closed"))).exporter();
        assertThat(descriptor.storage().error()).isEqualTo("IllegalStateException: closed");
    }

    @Test
    void showsTheEffectiveConfigurationByPropertyName() {
        ExporterProperties properties = new ExporterProperties();
        properties.getPrometheus().setMetricsPort(9200);
        properties.getStorage().getGaugeModes().put("queue_depth", GaugeMode.MAX);
        properties.getStorage().setInclude(List.of("app_*"));
        Map<String, Object> configuration = ExporterEndpointConfigurationView.of(properties);
        assertThat(configuration).containsEntry("exporter.enabled", true)
            .containsEntry("exporter.prometheus.metrics-port", 9200)
            .containsEntry("exporter.prometheus.on-bind-failure", "fail")
            .containsEntry("exporter.prometheus.bind-backoff", "PT2S")
            .containsEntry("exporter.gunicorn.worker-class", "sync")
            .containsEntry("exporter.storage.gauge-modes.queue_depth", "max")
            .containsEntry("exporter.storage.include", List.of("app_*"))
            .containsEntry("exporter.redis.key-prefix", "gunicorn")
            .doesNotContainKeys("exporter.prometheus.multiproc-dir", "exporter.redis.password", "exporter.class");
    }

    @Test
    void masksEverySecret() {
        ExporterProperties properties = new ExporterProperties();
        properties.getRedis().setPassword("redis-secret");
        properties.getPrometheus().getAuth().setUsername("scraper");
        properties.getPrometheus().getAuth().setPassword("scrape-secret");
        properties.getStorage().getGaugeModes().put("api_token_budget", GaugeMode.MAX);
        properties.getStorage().getGaugeModes().put("client_secret_age", GaugeMode.MIN);
        Map<String, Object> configuration = ExporterEndpointConfigurationView.of(properties);
        assertThat(configuration).containsEntry("exporter.redis.password", "******")
            .containsEntry("exporter.prometheus.auth.password", "******")
            .containsEntry("exporter.prometheus.auth.username", "scraper")
            .containsEntry("exporter.storage.gauge-modes.api_token_budget", "******")
            .containsEntry("exporter.storage.gauge-modes.client_secret_age", "******");
        assertThat(configuration.values()).doesNotContain("redis-secret", "scrape-secret");
    }

    private static ExporterEndpoint endpoint(@Nullable MetricStore store) {
        WorkerCensus census = (store != null) ? new WorkerCensus(store, new BinarySnapshotCodec(), "gunicorn",
                Duration.ofSeconds(15), Clock.fixed(NOW, ZoneOffset.UTC)) : null;
        return new ExporterEndpoint(SELF, census, Duration.ofSeconds(15), Map.of());
    }

    private static WorkerRecord record(String id, String state, Instant heartbeat, String stopReason) {
        return new WorkerRecord(id, 7, Instant.parse("2025-01-01T10:00:00Z").toEpochMilli(), heartbeat.toEpochMilli(),
                WorkerState.ofLabel(state), (stopReason != null) ? StopReason.ofLabel(stopReason) : null,
                new BinarySnapshotCodec().encode(MetricSnapshots.of()));
    }

    /**
     * A store that cannot be read.
     */
    static final class UnreadableStore implements MetricStore {

        private final RuntimeException failure;

        UnreadableStore(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public String name() {
            return "unreadable";
        }

        @Override
        public void publish(WorkerRecord record) {
            throw this.failure;
        }

        @Override
        public List<WorkerRecord> readAll() {
            throw this.failure;
        }

        @Override
        public void close() {
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class StoreConfiguration {

        @Bean
        MetricStore metricStore() {
            return new InMemoryMetricStore();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserEndpointConfiguration {

        @Bean
        ExporterEndpoint userExporterEndpoint() {
            return endpoint(null);
        }

    }

}
