package io.github.workerexporter.autoconfigure;

import java.nio.file.Path;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.merge.FleetView;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.publish.WorkerPublisher;
import io.github.workerexporter.storage.Exposition;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the fleet view's wiring in {@link StorageMergedViewConfiguration}
 * ({@code exporter.storage.view}).
 *
 * @author Worker Exporter
 */
class FleetViewConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, MergedViewAutoConfiguration.class,
                PrometheusMetricsExportAutoConfiguration.class, WorkerExporterAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void servesOneSeriesPerWorkerByDefault() {
        this.contextRunner.withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir, "exporter.worker.id=w-1")
            .run((context) -> {
                assertThat(context).hasSingleBean(MergingCollector.class).doesNotHaveBean(FleetView.class);
                String served = scrapeAfterTwoOrders(context);
                assertThat(served).contains("orders_total{worker_id=\"w-1\"} 2.0").doesNotContain("orders_total 2.0");
            });
    }

    @Test
    void servesTheFleetViewWhenAskedFor() {
        this.contextRunner
            .withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir, "exporter.worker.id=w-1",
                    "exporter.storage.view=fleet")
            .run((context) -> {
                assertThat(context).hasSingleBean(FleetView.class);
                String served = scrapeAfterTwoOrders(context);
                assertThat(served).contains("orders_total 2.0")
                    .doesNotContain("orders_total{worker_id")
                    .contains("gunicorn_master_workers{state=\"alive\"} 1.0");
            });
    }

    @Test
    void failsStartUpOnAnUnknownView() {
        this.contextRunner
            .withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir, "exporter.storage.view=cluster")
            .run((context) -> {
                assertThat(context).hasFailed();
                assertThat(StartupFailures.message(context.getStartupFailure())).contains("exporter.storage.view")
                    .contains("'cluster'")
                    .contains("per_worker, fleet");
            });
    }

    private static String scrapeAfterTwoOrders(
            org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
        context.getBean(MeterRegistry.class).counter("orders").increment(2);
        context.getBean(WorkerPublisher.class).flushNow();
        return Exposition.text(context.getBean(PrometheusRegistry.class).scrape());
    }

}
