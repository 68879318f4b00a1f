package io.github.workerexporter.merge;

import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The registry of a worker in shared mode. Collectors register on it as on any
 * {@link PrometheusRegistry} (Micrometer's meters, the exporter's families), but a
 * {@link #scrape} serves the merged view of all workers: the families of the merged view
 * (such as {@link MergingCollector}), then the local families the merged view does not
 * have (such as those not published). So each family is served exactly once, and the
 * flusher publishes {@link #scrapeLocal(Predicate)}, which never includes the merged
 * view: no loop.
 *
 * @author Worker Exporter
 */
public class MergedViewRegistry extends PrometheusRegistry {

    private volatile @Nullable MultiCollector mergedView;

    /**
     * Serve this merged view from now on.
     * @param mergedView the merged view
     */
    public void setMergedView(MultiCollector mergedView) {
        this.mergedView = mergedView;
    }

    /**
     * This process's own metrics, without the merged view.
     * @param names the families to include
     * @return the snapshots
     */
    public MetricSnapshots scrapeLocal(Predicate<String> names) {
        return super.scrape(names, null);
    }

    @Override
    public MetricSnapshots scrape(@Nullable PrometheusScrapeRequest scrapeRequest) {
        return scrape((name) -> true, scrapeRequest);
    }

    @Override
    public MetricSnapshots scrape(Predicate<String> names, @Nullable PrometheusScrapeRequest scrapeRequest) {
        MultiCollector view = this.mergedView;
        if (view == null) {
            return super.scrape(names, scrapeRequest);
        }
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        view.collect(names, scrapeRequest).forEach(result::metricSnapshot);
        for (MetricSnapshot snapshot : super.scrape(names, scrapeRequest)) {
            if (!result.containsMetricName(snapshot.getMetadata().getName())) {
                result.metricSnapshot(snapshot);
            }
        }
        return result.build();
    }

}
