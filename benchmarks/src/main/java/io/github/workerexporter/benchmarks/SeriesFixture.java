package io.github.workerexporter.benchmarks;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * One worker's metrics with a given number of series (data points): families of
 * {@value #SERIES_PER_FAMILY} series, in turn a counter, a gauge and a histogram, each
 * series labelled {@code worker_id} and {@code endpoint}, with non-zero values. A classic
 * histogram has the 8 buckets of the request duration and 4 observations per series; a
 * native one (client_java's, at its default schema 5) 32 observations spread evenly on a
 * log scale from 1 ms to 10 s, so 32 populated buckets per series, as a latency histogram
 * of a busy route has.
 *
 * @author Worker Exporter
 */
final class SeriesFixture {

    /** Series in each family. */
    static final int SERIES_PER_FAMILY = 50;

    private static final double[] BUCKETS = { 0.1, 0.5, 1, 2.5, 5, 10, 30, 60 };

    private SeriesFixture() {
    }

    /**
     * A registry holding the series of one worker.
     * @param workerId the {@code worker_id} label
     * @param series how many series
     * @return the registry
     */
    static PrometheusRegistry registry(String workerId, int series) {
        return registry(workerId, series, "classic");
    }

    /**
     * A registry holding the series of one worker.
     * @param workerId the {@code worker_id} label
     * @param series how many series
     * @param histograms {@code classic} or {@code native}
     * @return the registry
     */
    static PrometheusRegistry registry(String workerId, int series, String histograms) {
        boolean nativeHistograms = switch (histograms) {
            case "classic" -> false;
            case "native" -> true;
            default -> throw new IllegalArgumentException("histograms: classic or native, not " + histograms);
        };
        PrometheusRegistry registry = new PrometheusRegistry();
        for (int family = 0; family * SERIES_PER_FAMILY < series; family++) {
            int size = Math.min(SERIES_PER_FAMILY, series - family * SERIES_PER_FAMILY);
            switch (family % 3) {
                case 0 -> counter(registry, family, workerId, size);
                case 1 -> gauge(registry, family, workerId, size);
                default -> {
                    if (nativeHistograms) {
                        nativeHistogram(registry, family, workerId, size);
                    }
                    else {
                        histogram(registry, family, workerId, size);
                    }
                }
            }
        }
        return registry;
    }

    private static void counter(PrometheusRegistry registry, int family, String workerId, int size) {
        Counter counter = Counter.builder()
            .name("bench_counter_" + family + "_total")
            .help("A counter")
            .labelNames("worker_id", "endpoint")
            .withoutExemplars()
            .register(registry);
        for (int i = 0; i < size; i++) {
            counter.labelValues(workerId, endpoint(i)).inc(i + 1);
        }
    }

    private static void gauge(PrometheusRegistry registry, int family, String workerId, int size) {
        Gauge gauge = Gauge.builder()
            .name("bench_gauge_" + family)
            .help("A gauge")
            .labelNames("worker_id", "endpoint")
            .withoutExemplars()
            .register(registry);
        for (int i = 0; i < size; i++) {
            gauge.labelValues(workerId, endpoint(i)).set(i);
        }
    }

    private static void histogram(PrometheusRegistry registry, int family, String workerId, int size) {
        Histogram histogram = Histogram.builder()
            .name("bench_histogram_" + family + "_seconds")
            .help("A histogram")
            .labelNames("worker_id", "endpoint")
            .classicOnly()
            .classicUpperBounds(BUCKETS)
            .withoutExemplars()
            .register(registry);
        for (int i = 0; i < size; i++) {
            for (double value : new double[] { 0.05, 0.7, 3, 42 }) {
                histogram.labelValues(workerId, endpoint(i)).observe(value * (i + 1) / size);
            }
        }
    }

    private static void nativeHistogram(PrometheusRegistry registry, int family, String workerId, int size) {
        Histogram histogram = Histogram.builder()
            .name("bench_histogram_" + family + "_seconds")
            .help("A histogram")
            .labelNames("worker_id", "endpoint")
            .nativeOnly()
            .withoutExemplars()
            .register(registry);
        for (int i = 0; i < size; i++) {
            for (int k = 0; k < 32; k++) {
                histogram.labelValues(workerId, endpoint(i)).observe(0.001 * Math.pow(10_000, k / 31.0));
            }
        }
    }

    private static String endpoint(int i) {
        return "/api/resource" + i + "/{id}";
    }

}
