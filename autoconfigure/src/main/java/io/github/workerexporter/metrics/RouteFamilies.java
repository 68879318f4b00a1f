package io.github.workerexporter.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.prometheus.metrics.core.exemplars.ExemplarSampler;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The request counter and the three request histograms labelled by route
 * ({@code worker_id, method, endpoint, status}): one collector, since the four families
 * share their label sets. Each label set is one {@link Series}: the buckets and sums of
 * the three histograms on one {@link Stripes}, so a request is recorded on one thread's
 * own cache lines; the counter is the duration histogram's count. With native histograms
 * ({@link HistogramSettings}) each histogram of a label set is a {@link NativeDataPoint}
 * instead.
 * <p>
 * The label sets are capped at {@code exporter.metrics.max-label-sets} (the same cap for
 * each of the four families, since they share their label sets): past the cap a new label
 * set is folded into {@code endpoint="OTHER"}, with one WARN log. Series are kept in a
 * map by endpoint for each method (a list by the method's number, so one map lookup per
 * request) and an array by status, so recording a label set seen before allocates
 * nothing.
 *
 * @author Worker Exporter
 */
final class RouteFamilies implements MultiCollector {

    private static final Log logger = LogFactory.getLog(RouteFamilies.class);

    private static final String[] CODES = new String[501];

    private static final String[] CLASSES = { "1xx", "2xx", "3xx", "4xx", "5xx", LabelSetCap.OTHER };

    static {
        for (int status = 100; status < 600; status++) {
            CODES[status - 100] = Integer.toString(status);
        }
        CODES[500] = LabelSetCap.OTHER;
    }

    /** By method ({@link RequestMetrics#methodIndex}), then endpoint, then status. */
    private final List<ConcurrentMap<String, AtomicReferenceArray<@Nullable Series>>> series;

    private final Queue<Series> all = new ConcurrentLinkedQueue<>();

    private final AtomicInteger size = new AtomicInteger();

    private final AtomicBoolean warned = new AtomicBoolean();

    private final MetricMetadata[] metadata;

    private final double[] durationBounds;

    private final double[] sizeBounds;

    private final String workerId;

    private final int maxLabelSets;

    private final boolean statusClass;

    private final RequestExemplars exemplars;

    private final HistogramSettings histograms;

    /**
     * The four families.
     * @param metadata names and HELP texts of the request counter, then the duration,
     * request size and response size histograms
     * @param durationBounds the duration histogram's finite upper bounds
     * @param sizeBounds the size histograms' finite upper bounds
     * @param workerId the {@code worker_id} label
     * @param maxLabelSets the maximum label sets of each family
     * @param statusClass whether {@code status} is the class ({@code 2xx}) rather than
     * the code
     * @param exemplars where the duration histogram's and the counter's exemplars come
     * from
     * @param histograms whether the histograms are classic, native or both
     */
    RouteFamilies(MetricMetadata[] metadata, double[] durationBounds, double[] sizeBounds, String workerId,
            int maxLabelSets, boolean statusClass, RequestExemplars exemplars, HistogramSettings histograms) {
        this.metadata = metadata.clone();
        this.durationBounds = ClassicHistogram.withInfinity(durationBounds);
        this.sizeBounds = ClassicHistogram.withInfinity(sizeBounds);
        this.workerId = workerId;
        this.maxLabelSets = maxLabelSets;
        this.statusClass = statusClass;
        this.exemplars = exemplars;
        this.histograms = histograms;
        List<ConcurrentMap<String, AtomicReferenceArray<@Nullable Series>>> series = new ArrayList<>();
        for (int i = 0; i < RequestMetrics.METHODS.length; i++) {
            series.add(new ConcurrentHashMap<>());
        }
        this.series = List.copyOf(series);
    }

    /**
     * Record one finished request.
     * @param method the number of the method label, {@link RequestMetrics#methodIndex}
     * @param endpoint the route template
     * @param status the response status
     * @param seconds how long the request took
     * @param requestBytes body bytes received
     * @param responseBytes body bytes sent
     */
    void record(int method, String endpoint, int status, double seconds, long requestBytes, long responseBytes) {
        int index = this.statusClass ? classIndex(status) : codeIndex(status);
        Series series = find(method, endpoint, index);
        if (series == null) {
            series = (this.size.get() < this.maxLabelSets) ? admit(method, endpoint, index) : fold(method, index);
        }
        int stripe = Stripes.claim();
        try {
            series.count(stripe, seconds, requestBytes, responseBytes);
        }
        finally {
            Stripes.release(stripe);
        }
        series.sample(seconds);
    }

    private static int codeIndex(int status) {
        return (status >= 100 && status < 600) ? status - 100 : 500;
    }

    private static int classIndex(int status) {
        return (status >= 100 && status < 600) ? status / 100 - 1 : 5;
    }

    private @Nullable Series find(int method, String endpoint, int index) {
        AtomicReferenceArray<@Nullable Series> byStatus = this.series.get(method).get(endpoint);
        return (byStatus != null) ? byStatus.get(index) : null;
    }

    private Series admit(int method, String endpoint, int index) {
        return create(method, endpoint, index, true);
    }

    private Series fold(int method, int index) {
        if (this.warned.compareAndSet(false, true)) {
            logger.warn("Metrics '" + this.metadata[0].getPrometheusName() + "', '"
                    + this.metadata[1].getPrometheusName() + "', '" + this.metadata[2].getPrometheusName() + "' and '"
                    + this.metadata[3].getPrometheusName() + "' reached " + this.maxLabelSets
                    + " label sets (exporter.metrics.max-label-sets); new endpoints are recorded as endpoint=\""
                    + LabelSetCap.OTHER + "\"");
        }
        Series series = find(method, LabelSetCap.OTHER, index);
        return (series != null) ? series : create(method, LabelSetCap.OTHER, index, false);
    }

    private Series create(int method, String endpoint, int index, boolean counted) {
        AtomicReferenceArray<@Nullable Series> byStatus = this.series.get(method)
            .computeIfAbsent(endpoint,
                    (e) -> new AtomicReferenceArray<>(this.statusClass ? CLASSES.length : CODES.length));
        String status = this.statusClass ? CLASSES[index] : CODES[index];
        Series created = new Series(Labels.of("worker_id", this.workerId, "method", RequestMetrics.METHODS[method],
                "endpoint", endpoint, "status", status), this.durationBounds.length, this.sizeBounds.length);
        if (byStatus.compareAndSet(index, null, created)) {
            this.all.add(created);
            if (counted) {
                this.size.incrementAndGet();
            }
            return created;
        }
        Series existing = byStatus.get(index);
        return (existing != null) ? existing : created;
    }

    @Override
    public MetricSnapshots collect() {
        List<CounterDataPointSnapshot> requests = new ArrayList<>();
        List<HistogramDataPointSnapshot> durations = new ArrayList<>();
        List<HistogramDataPointSnapshot> requestSizes = new ArrayList<>();
        List<HistogramDataPointSnapshot> responseSizes = new ArrayList<>();
        for (Series series : this.all) {
            HistogramDataPointSnapshot duration = series.histogram(this.durationBounds, 0, false);
            durations.add(duration);
            requests.add(new CounterDataPointSnapshot(duration.getCount(), series.labels,
                    RequestExemplars.newest(duration.getExemplars()), series.created));
            requestSizes.add(series.histogram(this.sizeBounds, this.durationBounds.length + 1, true));
            responseSizes
                .add(series.histogram(this.sizeBounds, this.durationBounds.length + this.sizeBounds.length + 2, true));
        }
        return MetricSnapshots.of(new CounterSnapshot(this.metadata[0], requests),
                new HistogramSnapshot(this.metadata[1], durations),
                new HistogramSnapshot(this.metadata[2], requestSizes),
                new HistogramSnapshot(this.metadata[3], responseSizes));
    }

    @Override
    public List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
        Set<String> labels = Set.of("worker_id", "method", "endpoint", "status");
        return List.of(MetricFamilyDescriptor.of(MetricType.COUNTER, this.metadata[0], labels),
                MetricFamilyDescriptor.of(MetricType.HISTOGRAM, this.metadata[1], labels),
                MetricFamilyDescriptor.of(MetricType.HISTOGRAM, this.metadata[2], labels),
                MetricFamilyDescriptor.of(MetricType.HISTOGRAM, this.metadata[3], labels));
    }

    /**
     * One label set of the four families. Slots of its stripes: the duration buckets and
     * sum, then the request size buckets and sum, then the response size buckets and sum.
     * The size sums are whole bytes, added as longs. A request is counted under one claim
     * of a stripe ({@link Stripes#claim()}), its exemplar sampled after the release.
     */
    private final class Series {

        final Labels labels;

        final long created = System.currentTimeMillis();

        private final Stripes stripes;

        private final int requestSizeSlot;

        private final int responseSizeSlot;

        private final @Nullable ExemplarSampler durationExemplars;

        /** The duration, request size and response size, when native; else null. */
        private final NativeDataPoint @Nullable [] natives;

        Series(Labels labels, int durationBuckets, int sizeBuckets) {
            this.labels = labels;
            this.requestSizeSlot = durationBuckets + 1;
            this.responseSizeSlot = this.requestSizeSlot + sizeBuckets + 1;
            HistogramSettings settings = RouteFamilies.this.histograms;
            if (settings.kind() == HistogramSettings.Kind.CLASSIC) {
                this.natives = null;
                this.stripes = new Stripes(this.responseSizeSlot + sizeBuckets + 1);
                this.durationExemplars = RouteFamilies.this.exemplars.sampler(RouteFamilies.this.durationBounds);
            }
            else {
                double[] durations = (settings.kind() == HistogramSettings.Kind.BOTH)
                        ? RouteFamilies.this.durationBounds : null;
                double[] sizes = (settings.kind() == HistogramSettings.Kind.BOTH) ? RouteFamilies.this.sizeBounds
                        : null;
                this.natives = new NativeDataPoint[] { new NativeDataPoint(settings, durations),
                        new NativeDataPoint(settings, sizes), new NativeDataPoint(settings, sizes) };
                this.stripes = new Stripes(0);
                this.durationExemplars = RouteFamilies.this.exemplars.sampler(durations);
            }
        }

        void count(int stripe, double seconds, long requestBytes, long responseBytes) {
            NativeDataPoint[] natives = this.natives;
            if (natives != null) {
                natives[0].observe(stripe, seconds);
                natives[1].observe(stripe, requestBytes);
                natives[2].observe(stripe, responseBytes);
                return;
            }
            double[] sizes = RouteFamilies.this.sizeBounds;
            double[] durations = RouteFamilies.this.durationBounds;
            this.stripes.add(stripe, ClassicHistogram.bucket(durations, seconds), 1);
            this.stripes.addDouble(stripe, durations.length, seconds);
            this.stripes.add(stripe, this.requestSizeSlot + ClassicHistogram.bucket(sizes, requestBytes), 1);
            this.stripes.add(stripe, this.requestSizeSlot + sizes.length, requestBytes);
            this.stripes.add(stripe, this.responseSizeSlot + ClassicHistogram.bucket(sizes, responseBytes), 1);
            this.stripes.add(stripe, this.responseSizeSlot + sizes.length, responseBytes);
        }

        void sample(double seconds) {
            if (this.durationExemplars != null) {
                this.durationExemplars.observe(seconds);
            }
        }

        HistogramDataPointSnapshot histogram(double[] bounds, int firstSlot, boolean bytes) {
            Exemplars exemplars = (firstSlot == 0) ? RequestExemplars.of(this.durationExemplars) : Exemplars.EMPTY;
            NativeDataPoint[] natives = this.natives;
            if (natives != null) {
                int which = (firstSlot == 0) ? 0 : (firstSlot == this.requestSizeSlot) ? 1 : 2;
                return natives[which].snapshot(this.labels, exemplars, this.created);
            }
            long[] counts = new long[bounds.length];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = this.stripes.sum(firstSlot + i);
            }
            int sumSlot = firstSlot + bounds.length;
            double sum = bytes ? this.stripes.sum(sumSlot) : this.stripes.sumDouble(sumSlot);
            return new HistogramDataPointSnapshot(ClassicHistogramBuckets.of(bounds, counts), sum, this.labels,
                    exemplars, this.created);
        }

    }

}
