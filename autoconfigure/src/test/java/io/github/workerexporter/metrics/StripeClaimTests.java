package io.github.workerexporter.metrics;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import io.github.workerexporter.metrics.RequestMetrics.RouteLabels;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for the claim of a stripe per request ({@link Stripes#claim()}): threads racing
 * to record known requests, more of them than stripes, while another thread scrapes, end
 * with exactly the exposition of the same requests recorded on one thread, and every
 * snapshot taken during the race is consistent.
 *
 * @author Worker Exporter
 */
class StripeClaimTests {

    private static final int REQUESTS = 20_000;

    /** Families and histograms of each case: route labels, and the histograms. */
    enum Variant {

        UNLABELLED_CLASSIC(RouteLabels.OFF, HistogramSettings.CLASSIC),

        ROUTES_CLASSIC(RouteLabels.STATUS_CODE, HistogramSettings.CLASSIC),

        // a bucket limit of 8 reduces the schema while threads record
        UNLABELLED_NATIVE(RouteLabels.OFF, new HistogramSettings(HistogramSettings.Kind.NATIVE, 5, 0x1p-128, 8)),

        ROUTES_BOTH(RouteLabels.STATUS_CODE, new HistogramSettings(HistogramSettings.Kind.BOTH, 5, 0x1p-128, 8));

        final RouteLabels routes;

        final HistogramSettings histograms;

        Variant(RouteLabels routes, HistogramSettings histograms) {
            this.routes = routes;
            this.histograms = histograms;
        }

    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void platformThreadsMoreThanStripesRecordEveryRequestWhileScraped(Variant variant) throws Exception {
        race(variant, 2 * Stripes.count() + 3, REQUESTS, StripeClaimTests::platform);
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void threadsOfOneStripeNumberRecordEveryRequest(Variant variant) throws Exception {
        // each finds the claim of its own stripe held by another now and then
        List<AtomicReference<Runnable>> tasks = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        while (threads.size() < 6) {
            AtomicReference<Runnable> task = new AtomicReference<>();
            Thread thread = new Thread(() -> task.get().run());
            if ((id(thread) & (Stripes.SHARED - 1)) == 0) {
                tasks.add(task);
                threads.add(thread);
            }
        }
        AtomicInteger next = new AtomicInteger();
        race(variant, threads.size(), 10 * REQUESTS, (task) -> {
            int thread = next.getAndIncrement();
            tasks.get(thread).set(() -> {
                assertThat(Stripes.index()).isZero();
                task.run();
            });
            return threads.get(thread);
        });
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void virtualThreadsRecordEveryRequestWhileScraped(Variant variant) throws Exception {
        assumeThat(Runtime.version().feature())
            .as("virtual threads need Java 21 or later; this JVM is Java " + Runtime.version().feature()
                    + " (run on the Java 25 JDK to test them)")
            .isGreaterThanOrEqualTo(21);
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Method unstarted = Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class);
        race(variant, 200, REQUESTS / 10, (task) -> {
            try {
                return (Thread) unstarted.invoke(builder, task);
            }
            catch (ReflectiveOperationException ex) {
                throw new IllegalStateException(ex);
            }
        });
    }

    @Test
    void recordsOnTheSharedStripeWhenEveryStripeIsHeld() throws Exception {
        List<Integer> held = new ArrayList<>();
        try {
            // as if a preempted thread held each of them
            for (int stripe = 0; stripe < Stripes.SHARED; stripe++) {
                while (!Stripes.tryClaim(stripe)) {
                    Thread.onSpinWait();
                }
                held.add(stripe);
            }
            assertThat(Stripes.claim()).isEqualTo(Stripes.SHARED);
            Stripes stripes = new Stripes(1);
            StripedCounter counter = new StripedCounter("held_total", "Held", "worker_id", "w1");
            TextExpositions.runAtOnce(4, () -> {
                for (int i = 0; i < REQUESTS; i++) {
                    int stripe = Stripes.claim();
                    try {
                        stripes.add(stripe, 0, 1);
                    }
                    finally {
                        Stripes.release(stripe);
                    }
                    counter.inc();
                }
            });
            assertThat(stripes.get(Stripes.SHARED, 0)).isEqualTo(4L * REQUESTS);
            assertThat(stripes.sum(0)).isEqualTo(4L * REQUESTS);
            assertThat(counter.collect().getDataPoints().get(0).getValue()).isEqualTo(4.0 * REQUESTS);
            for (Variant variant : Variant.values()) {
                race(variant, 5, REQUESTS, StripeClaimTests::platform);
            }
        }
        finally {
            held.forEach(Stripes::release);
        }
    }

    @Test
    void aReleasedStripeIsClaimedAgain() {
        int stripe = Stripes.claim();
        try {
            assertThat(Stripes.tryClaim(stripe)).isFalse();
        }
        finally {
            Stripes.release(stripe);
        }
        assertThat(Stripes.tryClaim(stripe)).isTrue();
        Stripes.release(stripe);
    }

    private static Thread platform(Runnable task) {
        return new Thread(task);
    }

    @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+
    private static long id(Thread thread) {
        return thread.getId();
    }

    /**
     * Record some requests on each of some threads while another scrapes, then compare
     * with the same requests recorded on one thread.
     */
    private static void race(Variant variant, int threads, int requests, Function<Runnable, Thread> factory)
            throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        RequestMetrics metrics = metrics(registry, variant);
        PrometheusRegistry reference = new PrometheusRegistry();
        RequestMetrics sequential = metrics(reference, variant);
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < requests; i++) {
                record(sequential, i);
            }
        }
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> recorders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread recorder = factory.apply(() -> {
                try {
                    start.await();
                    for (int i = 0; i < requests; i++) {
                        record(metrics, i);
                    }
                }
                catch (Throwable ex) {
                    failure.compareAndSet(null, ex);
                }
            });
            recorders.add(recorder);
            recorder.start();
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger snapshots = new AtomicInteger();
        Thread scraper = new Thread(() -> {
            Map<String, Double> last = new HashMap<>();
            try {
                while (!done.get()) {
                    checkConsistent(registry, last);
                    snapshots.incrementAndGet();
                }
            }
            catch (Throwable ex) {
                failure.compareAndSet(null, ex);
            }
        });
        scraper.start();
        start.countDown();
        for (Thread recorder : recorders) {
            recorder.join();
        }
        done.set(true);
        scraper.join();
        if (failure.get() != null) {
            throw new AssertionError(variant + ": " + failure.get(), failure.get());
        }
        assertThat(snapshots.get()).isPositive();
        assertThat(describe(registry)).as(variant.toString()).isEqualTo(describe(reference));
    }

    private static RequestMetrics metrics(PrometheusRegistry registry, Variant variant) {
        return new RequestMetrics(registry, "gunicorn", "w1", 1000, variant.routes, List.of(), RequestExemplars.NONE,
                variant.histograms);
    }

    /**
     * Request {@code i} of a thread: durations of 1/64 to 1 s (exact binary fractions, so
     * their sum does not depend on the order of the additions), sizes of 0 to 6,000 and
     * 27 bytes to 216 MiB, two endpoints and two statuses.
     */
    private static void record(RequestMetrics metrics, int i) {
        metrics.started();
        metrics.record("GET", (i % 3 == 0) ? "/a" : "/b", (i % 5 == 0) ? 404 : 200, 15_625_000L * (1 + i % 64),
                (i % 7) * 1000L, 27L << (i % 24), null);
        metrics.finished();
    }

    /**
     * A scrape during the race: in every histogram {@code _count} equals the {@code +Inf}
     * bucket, classic and native counts agree, the route counter equals its duration
     * count, and no count is below what the previous scrape saw.
     */
    private static void checkConsistent(PrometheusRegistry registry, Map<String, Double> last) {
        RequestExposition exposition = RequestExposition.scrape(registry);
        for (Map.Entry<String, Double> sample : exposition.samples().entrySet()) {
            String key = sample.getKey();
            if (key.contains("_bucket{") && key.contains("le=\"+Inf\"")) {
                String count = key.replace("_bucket{", "_count{")
                    .replace(",le=\"+Inf\"", "")
                    .replace("le=\"+Inf\",", "")
                    .replace("{le=\"+Inf\"}", "");
                assertThat(exposition.samples()).as(key).containsEntry(count, sample.getValue());
            }
            if (key.startsWith("gunicorn_worker_requests_total{") && key.contains("endpoint=")) {
                String count = key.replace("gunicorn_worker_requests_total{",
                        "gunicorn_worker_request_duration_seconds_count{");
                assertThat(exposition.samples()).as(key).containsEntry(count, sample.getValue());
            }
            if (key.contains("_count{") || key.contains("_bucket{") || key.contains("_total{")) {
                Double before = last.put(key, sample.getValue());
                if (before != null) {
                    assertThat(sample.getValue()).as(key).isGreaterThanOrEqualTo(before);
                }
            }
        }
        for (MetricSnapshot snapshot : registry.scrape()) {
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                if (point instanceof HistogramDataPointSnapshot histogram && histogram.hasClassicHistogramData()
                        && histogram.hasNativeHistogramData()) {
                    long classic = histogram.getClassicBuckets().getCount(histogram.getClassicBuckets().size() - 1);
                    long total = 0;
                    for (int i = 0; i < histogram.getClassicBuckets().size(); i++) {
                        total += histogram.getClassicBuckets().getCount(i);
                    }
                    long inNative = histogram.getNativeZeroCount()
                            + count(histogram.getNativeBucketsForPositiveValues())
                            + count(histogram.getNativeBucketsForNegativeValues());
                    assertThat(total).as("classic and native counts, +Inf %d", classic).isEqualTo(inNative);
                }
            }
        }
    }

    private static long count(NativeHistogramBuckets buckets) {
        long count = 0;
        for (int i = 0; i < buckets.size(); i++) {
            count += buckets.getCount(i);
        }
        return count;
    }

    /** Every data point's values, created timestamps left out, one line each, sorted. */
    private static String describe(PrometheusRegistry registry) {
        TreeSet<String> lines = new TreeSet<>();
        for (MetricSnapshot snapshot : registry.scrape()) {
            String name = snapshot.getMetadata().getPrometheusName();
            for (DataPointSnapshot point : snapshot.getDataPoints()) {
                StringBuilder line = new StringBuilder(name).append(point.getLabels()).append(' ');
                if (point instanceof CounterDataPointSnapshot counter) {
                    line.append(counter.getValue());
                }
                else if (point instanceof GaugeDataPointSnapshot gauge) {
                    line.append(gauge.getValue());
                }
                else if (point instanceof HistogramDataPointSnapshot histogram) {
                    line.append("count=").append(histogram.getCount()).append(" sum=").append(histogram.getSum());
                    if (histogram.hasClassicHistogramData()) {
                        for (int i = 0; i < histogram.getClassicBuckets().size(); i++) {
                            line.append(" le")
                                .append(histogram.getClassicBuckets().getUpperBound(i))
                                .append('=')
                                .append(histogram.getClassicBuckets().getCount(i));
                        }
                    }
                    if (histogram.hasNativeHistogramData()) {
                        line.append(" schema=")
                            .append(histogram.getNativeSchema())
                            .append(" zero=")
                            .append(histogram.getNativeZeroCount());
                        NativeHistogramBuckets positive = histogram.getNativeBucketsForPositiveValues();
                        for (int i = 0; i < positive.size(); i++) {
                            line.append(" +")
                                .append(positive.getBucketIndex(i))
                                .append('=')
                                .append(positive.getCount(i));
                        }
                    }
                }
                lines.add(line.toString());
            }
        }
        return String.join("\n", lines);
    }

}
