package io.github.workerexporter.metrics;

import java.util.concurrent.TimeUnit;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One observation into a native histogram data point shared by two threads: client_java's
 * {@code nativeOnly()} histogram against Worker Exporter's {@link NativeDataPoint}
 * (native only, and with the original's classic buckets too), at client_java's defaults
 * (schema 5, 160 buckets). The values cycle through 64 durations from 1 ms to 1 s, so
 * every observation after the first round lands in a bucket seen before;
 * {@code classicTwoThreads} is Worker Exporter's classic {@link ClassicHistogram} fed the
 * same values, the figure of today's default on the same machine. In the package of the
 * data point, which is not public.
 *
 * @author Worker Exporter
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class NativeHistogramBenchmark {

    private static final double[] BOUNDS = ClassicHistogram
        .withInfinity(new double[] { 0.1, 0.5, 1, 2.5, 5, 10, 30, 60 });

    private static final HistogramSettings NATIVE = new HistogramSettings(HistogramSettings.Kind.NATIVE, 5, 0x1p-128,
            160);

    private static final HistogramSettings BOTH = new HistogramSettings(HistogramSettings.Kind.BOTH, 5, 0x1p-128, 160);

    /**
     * The data points, shared by the benchmark's threads.
     */
    @State(Scope.Benchmark)
    public static class Shared {

        final DistributionDataPoint clientJava = Histogram.builder()
            .name("bench_seconds")
            .help("A benchmark histogram")
            .labelNames("worker_id")
            .nativeOnly()
            .withoutExemplars()
            .register(new PrometheusRegistry())
            .labelValues("bench-worker");

        final NativeDataPoint nativeOnly = new NativeDataPoint(NATIVE, null);

        final NativeDataPoint both = new NativeDataPoint(BOTH, BOUNDS);

        final ClassicHistogram classic = new ClassicHistogram("bench_seconds", "A benchmark histogram",
                new double[] { 0.1, 0.5, 1, 2.5, 5, 10, 30, 60 }, "worker_id", "bench-worker");

    }

    /**
     * Each thread's values.
     */
    @State(Scope.Thread)
    public static class Values {

        final double[] values = new double[64];

        int next;

        public Values() {
            for (int i = 0; i < this.values.length; i++) {
                this.values[i] = 0.001 * Math.pow(1000, i / 63.0);
            }
        }

        double next() {
            double value = this.values[this.next];
            this.next = (this.next + 1) & 63;
            return value;
        }

    }

    @Benchmark
    @Threads(2)
    public void clientJavaNativeTwoThreads(Shared shared, Values values) {
        shared.clientJava.observe(values.next());
    }

    @Benchmark
    @Threads(2)
    public void nativeTwoThreads(Shared shared, Values values) {
        shared.nativeOnly.observe(values.next());
    }

    @Benchmark
    @Threads(2)
    public void classicTwoThreads(Shared shared, Values values) {
        shared.classic.observe(values.next());
    }

    @Benchmark
    @Threads(2)
    public void bothTwoThreads(Shared shared, Values values) {
        shared.both.observe(values.next());
    }

}
