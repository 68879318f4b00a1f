package io.github.workerexporter.sidecar;

import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.merge.MergedViewRegistry;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The registry of a sidecar. A sidecar is not a worker: it serves the merged view of the
 * workers and its own {@link SidecarMetrics}, never what Micrometer or the exporter
 * register on it for this process (JVM meters, worker families). Its local metrics are
 * empty, so the merged view falls back to no metrics when the store cannot be read.
 *
 * @author Worker Exporter
 */
public final class SidecarRegistry extends MergedViewRegistry {

    private static final MultiCollector NONE = () -> MetricSnapshots.builder().build();

    private volatile MultiCollector mergedView = NONE;

    private volatile MultiCollector sidecarMetrics = NONE;

    @Override
    public void setMergedView(MultiCollector mergedView) {
        super.setMergedView(mergedView);
        this.mergedView = mergedView;
    }

    /**
     * Serve these sidecar families from now on.
     * @param sidecarMetrics the sidecar's families
     */
    public void setSidecarMetrics(MultiCollector sidecarMetrics) {
        this.sidecarMetrics = sidecarMetrics;
    }

    @Override
    public MetricSnapshots scrapeLocal(Predicate<String> names) {
        return NONE.collect();
    }

    @Override
    public MetricSnapshots scrape(Predicate<String> names, @Nullable PrometheusScrapeRequest scrapeRequest) {
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        this.mergedView.collect(names, scrapeRequest).forEach(result::metricSnapshot);
        for (MetricSnapshot snapshot : this.sidecarMetrics.collect(names, scrapeRequest)) {
            if (!result.containsMetricName(snapshot.getMetadata().getName())) {
                result.metricSnapshot(snapshot);
            }
        }
        return result.build();
    }

}
