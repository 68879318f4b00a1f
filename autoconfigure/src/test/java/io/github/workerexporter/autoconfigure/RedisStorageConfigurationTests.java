package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookContext;
import io.github.workerexporter.hooks.HookPhase;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.redis.RedisMetricStore;
import io.github.workerexporter.storage.redis.RedisServerExtension;
import io.github.workerexporter.storage.redis.RedisServerSupport;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisStorageConfiguration} against a real Redis server.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisStorageConfigurationTests {

    private static final String PASSWORD = "s3cret-pw";

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.shared();

    private final RedisServerSupport server = redis.server();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class))
        .withPropertyValues("exporter.redis.key-prefix=test:" + UUID.randomUUID());

    @Test
    void backsOffWhenRedisIsNotEnabled() {
        this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(MetricStore.class)
            .doesNotHaveBean("redisStorageReadyHook")
            .doesNotHaveBean("exporterHealthIndicator"));
    }

    @Test
    void buildsItsOwnConnectionFromExporterRedisProperties() {
        this.contextRunner.withPropertyValues(redisProperties(this.server.port())).run((context) -> {
            assertThat(context).hasSingleBean(RedisMetricStore.class).doesNotHaveBean(RedisConnectionFactory.class);
            RedisMetricStore store = context.getBean(RedisMetricStore.class);
            assertThat(store.location()).isEqualTo("127.0.0.1:" + this.server.port());
            store.publish(record());
            assertThat(store.readAll()).containsExactly(record());
        });
    }

    @Test
    void usesTheApplicationsConnectionFactoryWhenNoExporterConnectionIsSet() {
        this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
            .withPropertyValues("exporter.redis.enabled=true")
            .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + this.server.port())
            .run((context) -> {
                RedisMetricStore store = context.getBean(RedisMetricStore.class);
                assertThat(store.location()).isEqualTo("127.0.0.1:" + this.server.port());
                store.publish(record());
                assertThat(store.readAll()).containsExactly(record());
            });
    }

    @Test
    void anExplicitExporterConnectionWinsOverTheApplicationsFactory() {
        this.contextRunner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
            .withPropertyValues(redisProperties(this.server.port()))
            .withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + closedPort())
            .run((context) -> {
                RedisMetricStore store = context.getBean(RedisMetricStore.class);
                assertThat(store.location()).isEqualTo("127.0.0.1:" + this.server.port());
                store.publish(record());
                assertThat(store.readAll()).containsExactly(record());
            });
    }

    @Test
    void startsWhenRedisIsDownAndReportsItDownWithoutThePassword() {
        this.contextRunner.withPropertyValues(redisProperties(closedPort()))
            .withPropertyValues("exporter.redis.password=" + PASSWORD, "exporter.redis.timeout=500ms")
            .run((context) -> {
                assertThat(context).hasNotFailed();
                Health health = context.getBean("exporterHealthIndicator", StorageHealthIndicator.class).health(true);
                assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                assertThat(health.getDetails()).containsEntry("store", "redis").containsKey("error");
                assertThat(health.toString()).doesNotContain(PASSWORD);
            });
    }

    @Test
    void reportsTheStoreUpWithItsWorkerCount() {
        this.contextRunner.withPropertyValues(redisProperties(this.server.port())).run((context) -> {
            context.getBean(RedisMetricStore.class).publish(record());
            Health health = context.getBean("exporterHealthIndicator", StorageHealthIndicator.class).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("store", "redis")
                .containsEntry("location", "127.0.0.1:" + this.server.port())
                .containsEntry("workers", Map.of("alive", 0, "stopped", 0, "lost", 1));
        });
    }

    @Test
    void backsOffWhenUserDefinesMetricStore() {
        this.contextRunner.withPropertyValues(redisProperties(this.server.port()))
            .withUserConfiguration(CustomMetricStoreConfiguration.class)
            .run((context) -> assertThat(context).hasSingleBean(MetricStore.class)
                .hasBean("customMetricStore")
                .doesNotHaveBean(RedisMetricStore.class));
    }

    @Test
    void hasNoHealthIndicatorWithoutSpringBootHealth() {
        this.contextRunner.withPropertyValues(redisProperties(this.server.port()))
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
            .run((context) -> assertThat(context).hasSingleBean(RedisMetricStore.class)
                .doesNotHaveBean("exporterHealthIndicator"));
    }

    @Test
    void hasNoHealthIndicatorWhenItIsDisabled() {
        this.contextRunner.withPropertyValues(redisProperties(this.server.port()))
            .withPropertyValues("management.health.exporter.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean("exporterHealthIndicator"));
    }

    @Test
    void readyHookLogsWhereRedisIsButNotThePassword(CapturedOutput output) {
        this.contextRunner.withPropertyValues(redisProperties(this.server.port()))
            .withPropertyValues("exporter.redis.password=" + PASSWORD)
            .run((context) -> {
                ExporterHook hook = context.getBean("redisStorageReadyHook", ExporterHook.class);
                hook.execute(new HookContext(HookPhase.REDIS_WHEN_READY, context, null,
                        context.getBean(WorkerIdentity.class), LoggerFactory.getLogger(getClass())));
                hook.execute(new HookContext(HookPhase.WHEN_READY, context, null, context.getBean(WorkerIdentity.class),
                        LoggerFactory.getLogger(getClass())));
            });
        assertThat(output).containsOnlyOnce("Redis metrics storage enabled at 127.0.0.1:" + this.server.port())
            .doesNotContain(PASSWORD);
    }

    private static String[] redisProperties(int port) {
        return new String[] { "exporter.redis.enabled=true", "exporter.redis.host=127.0.0.1",
                "exporter.redis.port=" + port };
    }

    private static int closedPort() {
        RedisServerSupport stopped = RedisServerSupport.start();
        stopped.stop();
        return stopped.port();
    }

    private static WorkerRecord record() {
        return new WorkerRecord("worker-1", 7, 1000, 2000, WorkerState.RUNNING, null,
                new BinarySnapshotCodec().encode(MetricSnapshots.of()));
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomMetricStoreConfiguration {

        @Bean
        MetricStore customMetricStore() {
            return new EmptyMetricStore();
        }

    }

    static class EmptyMetricStore implements MetricStore {

        @Override
        public String name() {
            return "empty";
        }

        @Override
        public void publish(WorkerRecord record) {
        }

        @Override
        public List<WorkerRecord> readAll() {
            return List.of();
        }

        @Override
        public void close() {
        }

    }

}
