package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.storage.InMemoryMetricStore;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link StorageHealthConfiguration} and {@link StorageHealthIndicator} with a
 * real file store.
 *
 * @author Worker Exporter
 */
class StorageHealthConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void hasNoHealthIndicatorWithoutAStore() {
        this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean("exporterHealthIndicator"));
    }

    @Test
    void reportsTheFileStoreUpWithItsDirectoryAndWorkersByState() {
        this.contextRunner.withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir).run((context) -> {
            MetricStore store = context.getBean(MetricStore.class);
            long now = System.currentTimeMillis();
            store.publish(new WorkerRecord("alive", 1, 0, now, WorkerState.RUNNING, null,
                    new BinarySnapshotCodec().encode(MetricSnapshots.of())));
            store.publish(new WorkerRecord("stopped", 2, 0, now, WorkerState.STOPPED, StopReason.TERM,
                    new BinarySnapshotCodec().encode(MetricSnapshots.of())));
            store.publish(new WorkerRecord("lost", 3, 0, now - 60_000, WorkerState.RUNNING, null,
                    new BinarySnapshotCodec().encode(MetricSnapshots.of())));
            Health health = health(context.getBean("exporterHealthIndicator", StorageHealthIndicator.class));
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("store", "file")
                .containsEntry("location", this.dir.toString())
                .containsEntry("workers", Map.of("alive", 1, "stopped", 1, "lost", 1));
        });
    }

    @Test
    void reportsTheFileStoreDownWithItsErrorWhenTheDirectoryIsGone() {
        this.contextRunner.withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir).run((context) -> {
            assertThat(context).hasSingleBean(FileMetricStore.class);
            FileSystemUtils.deleteRecursively(this.dir);
            Health health = health(context.getBean("exporterHealthIndicator", StorageHealthIndicator.class));
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("store", "file")
                .containsEntry("error", "Cannot list the shared directory " + this.dir);
        });
    }

    @Test
    void reportsAnyMetricStoreBean() {
        this.contextRunner.withUserConfiguration(InMemoryStoreConfiguration.class).run((context) -> {
            Health health = health(context.getBean("exporterHealthIndicator", StorageHealthIndicator.class));
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("store", "memory").doesNotContainKey("location");
        });
    }

    @Test
    void hasNoHealthIndicatorWithoutSpringBootHealth() {
        this.contextRunner.withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir)
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
            .run((context) -> assertThat(context).hasSingleBean(MetricStore.class)
                .doesNotHaveBean("exporterHealthIndicator"));
    }

    @Test
    void hasNoHealthIndicatorWhenItIsDisabled() {
        this.contextRunner
            .withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir,
                    "management.health.exporter.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean("exporterHealthIndicator"));
    }

    @Test
    void backsOffWhenUserDefinesExporterHealthIndicator() {
        this.contextRunner.withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir)
            .withUserConfiguration(CustomHealthIndicatorConfiguration.class)
            .run((context) -> assertThat(context.getBean("exporterHealthIndicator"))
                .isNotInstanceOf(StorageHealthIndicator.class));
    }

    private static Health health(StorageHealthIndicator indicator) {
        Health health = indicator.health(true);
        assertThat(health).isNotNull();
        return health;
    }

    @Configuration(proxyBeanMethods = false)
    static class InMemoryStoreConfiguration {

        @Bean
        MetricStore inMemoryMetricStore() {
            return new InMemoryMetricStore();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class CustomHealthIndicatorConfiguration {

        @Bean
        Object exporterHealthIndicator() {
            return "custom";
        }

    }

}
