package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.metrics.MasterRestarts;
import io.github.workerexporter.metrics.RequestMetrics;
import io.github.workerexporter.metrics.WorkerMetrics;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.publish.WorkerPublisher;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.storage.redis.RedisEndpoint;
import io.github.workerexporter.storage.redis.RedisMetricStore;
import io.github.workerexporter.storage.redis.RedisServerSupport;
import io.github.workerexporter.testing.LoopbackHttp;
import io.github.workerexporter.testing.LoopbackHttp.Answer;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A sidecar as it runs: a {@code SpringApplication} with no web server whose metrics
 * server serves the workers that real publishers wrote into the store.
 *
 * @author Worker Exporter
 */
class SidecarApplicationTests {

    @TempDir
    Path dir;

    @Test
    void servesTheWorkersOfTheSharedDirectoryAndItsOwnFamiliesOnly() throws Exception {
        try (FileMetricStore store = new FileMetricStore(this.dir, Duration.ofMinutes(5), Clock.systemUTC())) {
            publish(store, "w-1", 3);
            publish(store, "w-2", 4);
            try (ConfigurableApplicationContext sidecar = sidecar("exporter.prometheus.multiproc-dir=" + this.dir)) {
                String metrics = scrape(sidecar);
                assertThat(metrics).contains("orders_total{worker_id=\"w-1\"} 3.0")
                    .contains("orders_total{worker_id=\"w-2\"} 4.0")
                    .contains("gunicorn_master_workers{state=\"alive\"} 2.0")
                    .contains("# HELP gunicorn_sidecar_uptime_seconds Sidecar container uptime in seconds")
                    // each worker's file and the lock file of its claim
                    .contains("gunicorn_sidecar_multiproc_files_count 4.0")
                    .containsPattern("gunicorn_sidecar_multiproc_dir_size_bytes [1-9]")
                    .doesNotContain("redis_connected")
                    .doesNotContain(sidecar.getBean(WorkerIdentity.class).id())
                    .doesNotContain("gunicorn_worker_");
                assertThat(store.readAll()).extracting("workerId").containsExactlyInAnyOrder("w-1", "w-2");
                assertThat(sidecar.getBeanNamesForType(WorkerMetrics.class)).isEmpty();
                assertThat(sidecar.getBeanNamesForType(MasterRestarts.class)).isEmpty();
                assertThat(sidecar.getBeanNamesForType(RequestMetrics.class)).isEmpty();
            }
        }
    }

    @Test
    void keepsTheJvmRunningUntilTheContextCloses() throws InterruptedException {
        Thread keepAlive;
        try (ConfigurableApplicationContext sidecar = sidecar("exporter.prometheus.multiproc-dir=" + this.dir)) {
            keepAlive = Thread.getAllStackTraces()
                .keySet()
                .stream()
                .filter((thread) -> thread.getName().equals(SidecarKeepAlive.THREAD_NAME))
                .findFirst()
                .orElseThrow();
            assertThat(keepAlive.isDaemon()).isFalse();
            assertThat(keepAlive.isAlive()).isTrue();
        }
        keepAlive.join(5000);
        assertThat(keepAlive.isAlive()).isFalse();
    }

    @Test
    void servesTheWorkersInRedisAndTheConnectionStatus() throws Exception {
        RedisServerSupport server = RedisServerSupport.shared();
        String prefix = "sidecar:" + UUID.randomUUID();
        try (RedisMetricStore store = RedisMetricStore.connect(
                new RedisEndpoint("127.0.0.1", server.port(), 0, null, null, false, Duration.ofSeconds(2)), prefix,
                Duration.ofMinutes(5))) {
            publish(store, "w-1", 5);
            try (ConfigurableApplicationContext sidecar = sidecar("exporter.redis.enabled=true",
                    "exporter.redis.host=127.0.0.1", "exporter.redis.port=" + server.port(),
                    "exporter.redis.key-prefix=" + prefix)) {
                assertThat(scrape(sidecar)).contains("orders_total{worker_id=\"w-1\"} 5.0")
                    .contains("gunicorn_master_workers{state=\"alive\"} 1.0")
                    .contains("gunicorn_sidecar_redis_connected 1.0")
                    .contains("gunicorn_sidecar_multiproc_files_count 0.0")
                    .contains("gunicorn_sidecar_multiproc_dir_size_bytes 0.0");
            }
        }
    }

    @Test
    void failsStartUpWithoutSharedStorage() {
        assertThatExceptionOfType(Exception.class).isThrownBy(() -> sidecar().close())
            .havingRootCause()
            .isInstanceOfSatisfying(InvalidExporterPropertyException.class, (ex) -> {
                assertThat(ex.getProperty()).isEqualTo("exporter.sidecar.enabled");
                assertThat(ex.getAction()).contains("exporter.prometheus.multiproc-dir")
                    .contains("exporter.redis.enabled=true");
            });
    }

    private static void publish(MetricStore store, String workerId, int orders) {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("orders").register(registry).inc(orders);
        WorkerLifecycle lifecycle = new WorkerLifecycle();
        lifecycle.transition(WorkerState.RUNNING);
        new WorkerPublisher(store, new BinarySnapshotCodec(), new WorkerIdentity(workerId, 1, Instant.now()),
                registry::scrape, (name) -> true, lifecycle, (records) -> {
                }, Clock.systemUTC(), WorkerIdConflict.of("gunicorn", new WorkerIdentity(workerId, 1, Instant.now())))
            .flushNow();
    }

    private static ConfigurableApplicationContext sidecar(String... properties) {
        return new SpringApplicationBuilder(SidecarApplication.class).web(WebApplicationType.NONE)
            .properties("exporter.sidecar.enabled=true", "exporter.prometheus.metrics-port=0",
                    "exporter.prometheus.bind-address=127.0.0.1", "spring.config.location=optional:classpath:/none/",
                    "spring.main.banner-mode=off")
            .properties(properties)
            .run();
    }

    private static String scrape(ConfigurableApplicationContext context) throws IOException, InterruptedException {
        int port = context.getEnvironment().getRequiredProperty("local.exporter.metrics-port", Integer.class);
        Answer response = LoopbackHttp.getOnce(port, "/metrics");
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ MetricsAutoConfiguration.class, MergedViewAutoConfiguration.class,
            PrometheusMetricsExportAutoConfiguration.class, WorkerExporterAutoConfiguration.class })
    static class SidecarApplication {

    }

}
