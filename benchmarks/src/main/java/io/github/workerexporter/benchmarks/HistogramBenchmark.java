package io.github.workerexporter.benchmarks;

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
 * Why Worker Exporter records its request histograms with its own classic histogram
 * rather than client_java's: one observation into client_java's {@code classicOnly()}
 * histogram data point, by two threads sharing it and by two threads with a data point
 * each. The difference between the two is the contention that
 * {@code RequestBenchmark.recordTwoThreads} no longer shows.
 *
 * @author Worker Exporter
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HistogramBenchmark {

    /**
     * A client_java classic histogram data point, shared by the benchmark's threads.
     */
    @State(Scope.Benchmark)
    public static class ClientJava {

        final DistributionDataPoint histogram = Histogram.builder()
            .name("bench_seconds")
            .help("A benchmark histogram")
            .labelNames("worker_id")
            .classicOnly()
            .classicUpperBounds(0.1, 0.5, 1, 2.5, 5, 10, 30, 60)
            .withoutExemplars()
            .register(new PrometheusRegistry())
            .labelValues("bench-worker");

        double value = 0.00125;

    }

    /**
     * The same, one per thread.
     */
    @State(Scope.Thread)
    public static class ClientJavaPerThread extends ClientJava {

    }

    @Benchmark
    @Threads(2)
    public void clientJavaTwoThreads(ClientJava state) {
        state.histogram.observe(state.value);
    }

    @Benchmark
    @Threads(2)
    public void clientJavaTwoThreadsUnshared(ClientJavaPerThread state) {
        state.histogram.observe(state.value);
    }

}
