package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.publish.WorkerPublisher;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.InMemoryMetricStore;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.WorkerLife;
import io.github.workerexporter.storage.WorkerRecord;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
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

    @Test
    void reportsDownWithTheReasonWhileThisWorkersIdIsHeldByAnotherLiveProcess() {
        try (FileMetricStore holder = new FileMetricStore(this.dir, Duration.ofMinutes(5), Clock.systemUTC());
                FileMetricStore store = new FileMetricStore(this.dir, Duration.ofMinutes(5), Clock.systemUTC())) {
            holder.publish(new WorkerRecord("w1", 1, 1000, System.currentTimeMillis(), WorkerState.RUNNING, null,
                    new BinarySnapshotCodec().encode(MetricSnapshots.of())), new WorkerLife(1, "host-a", 1000));
            WorkerIdentity worker = new WorkerIdentity("w1", 2, Instant.ofEpochMilli(2000));
            WorkerIdConflict conflict = new WorkerIdConflict("gunicorn", "w1", new WorkerLife(2, "host-a", 2000));
            StorageHealthIndicator indicator = new StorageHealthIndicator(new WorkerCensus(store,
                    new BinarySnapshotCodec(), "gunicorn", Duration.ofSeconds(15), Clock.systemUTC()), conflict);
            assertThat(health(indicator).getStatus()).isEqualTo(Status.UP);
            WorkerLifecycle lifecycle = new WorkerLifecycle();
            lifecycle.transition(WorkerState.RUNNING);
            new WorkerPublisher(store, new BinarySnapshotCodec(), worker, MetricSnapshots::of, (name) -> true,
                    lifecycle, (records) -> {
                    }, Clock.systemUTC(), conflict)
                .flushNow();
            Health health = health(indicator);
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails().get("conflict")).asString()
                .contains("'w1'", "1@host-a", "2@host-a", "exporter.worker.id");
        }
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
