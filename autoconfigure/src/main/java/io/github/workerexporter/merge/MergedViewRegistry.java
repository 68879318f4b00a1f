package io.github.workerexporter.merge;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The {@link PrometheusRegistry} of a process that serves the merged view of shared
 * storage, defined as the application's registry bean (Spring Boot's backs off from it).
 * Collectors register on it as on any registry (Micrometer's meters, the exporter's
 * families), but a {@link #scrape} serves the views first (the merged view,
 * {@link MergingCollector}, and a sidecar's own families), then the local families the
 * views do not have (only when it serves local families: a sidecar does not). So each
 * family is served exactly once, and the flusher publishes {@link #scrapeLocal}, which
 * never includes a view: no loop.
 *
 * @author Worker Exporter
 */
public final class MergedViewRegistry extends PrometheusRegistry {

    private final boolean servesLocal;

    private final List<MultiCollector> views = new CopyOnWriteArrayList<>();

    /**
     * Create a registry.
     * @param servesLocal whether scrapes include the local families (a worker) or only
     * the views (a sidecar, which is not a worker)
     */
    public MergedViewRegistry(boolean servesLocal) {
        this.servesLocal = servesLocal;
    }

    /**
     * Serve a view, such as the merged view, before the local families from now on.
     * @param view the view
     */
    public void addView(MultiCollector view) {
        this.views.add(view);
    }

    /**
     * This process's own metrics, without the views; nothing when it serves no local
     * families.
     * @param names the families to include
     * @return the snapshots
     */
    public MetricSnapshots scrapeLocal(Predicate<String> names) {
        return this.servesLocal ? super.scrape(names, null) : MetricSnapshots.builder().build();
    }

    @Override
    public MetricSnapshots scrape(@Nullable PrometheusScrapeRequest scrapeRequest) {
        return scrape((name) -> true, scrapeRequest);
    }

    @Override
    public MetricSnapshots scrape(Predicate<String> names, @Nullable PrometheusScrapeRequest scrapeRequest) {
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        for (MultiCollector view : this.views) {
            for (MetricSnapshot snapshot : view.collect(names, scrapeRequest)) {
                if (!result.containsMetricName(snapshot.getMetadata().getName())) {
                    result.metricSnapshot(snapshot);
                }
            }
        }
        if (this.servesLocal) {
            for (MetricSnapshot snapshot : super.scrape(names, scrapeRequest)) {
                if (!result.containsMetricName(snapshot.getMetadata().getName())) {
                    result.metricSnapshot(snapshot);
                }
            }
        }
        return result.build();
    }

}
