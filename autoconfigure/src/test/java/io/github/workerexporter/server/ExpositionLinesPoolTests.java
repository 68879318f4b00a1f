package io.github.workerexporter.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests of {@link ExpositionLines.Pool}: a writer's buffers kept from one write to the
 * next, and two writes at once each with buffers of their own.
 *
 * @author Worker Exporter
 */
class ExpositionLinesPoolTests {

    @Test
    void aWriteAfterTheFirstAllocatesNoBuffer() throws IOException {
        com.sun.management.ThreadMXBean threads = threads();
        PrometheusTextExposition writer = new PrometheusTextExposition(false, true);
        MetricSnapshots snapshots = counters(50, "w1");
        OutputStream discard = OutputStream.nullOutputStream();
        for (int i = 0; i < 200; i++) {
            writer.write(discard, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10; i++) {
            writer.write(discard, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
        }
        long perWrite = (threads.getCurrentThreadAllocatedBytes() - before) / 10;
        // A new write's buffers are 33 KB: well above what a write of 50 series allocates
        // for its names and the exposition's own small objects.
        assertThat(perWrite).isLessThan(ExpositionLines.FLUSH_AT / 4);
    }

    @Test
    void writesAtOnceOnOneWriterEachWriteTheirOwnExposition() throws Exception {
        PrometheusTextExposition text = new PrometheusTextExposition(false, true);
        OpenMetricsExposition openMetrics = new OpenMetricsExposition(false, false);
        int threads = 4;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> writes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                // Each thread's own series, large enough to stream in several buffers.
                MetricSnapshots snapshots = counters(2_000, "w" + t);
                String expectedText = written(PrometheusTextFormatWriter.create(), snapshots);
                String expectedOpenMetrics = written(OpenMetricsTextFormatWriter.create(), snapshots);
                writes.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < 20; i++) {
                        assertThat(written(text, snapshots)).isEqualTo(expectedText);
                        assertThat(written(openMetrics, snapshots)).isEqualTo(expectedOpenMetrics);
                    }
                    return null;
                }));
            }
            for (Future<?> write : writes) {
                write.get();
            }
        }
        finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aWriteThatFailedLeavesNothingToTheNext() throws IOException {
        PrometheusTextExposition writer = new PrometheusTextExposition(false, true);
        MetricSnapshots snapshots = counters(2_000, "w1");
        OutputStream failing = new OutputStream() {

            @Override
            public void write(int b) throws IOException {
                throw new IOException("client gone");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("client gone");
            }

        };
        try {
            writer.write(failing, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
        }
        catch (IOException ex) {
            // expected: the stream failed mid-write
        }
        assertThat(written(writer, snapshots)).isEqualTo(written(PrometheusTextFormatWriter.create(), snapshots));
    }

    private static com.sun.management.ThreadMXBean threads() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeThat(bean).as("a JVM that counts the bytes a thread allocates")
            .isInstanceOf(com.sun.management.ThreadMXBean.class);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeThat(threads.isThreadAllocatedMemorySupported()).as("thread allocation counting supported").isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads;
    }

    private static MetricSnapshots counters(int series, String worker) {
        List<CounterDataPointSnapshot> points = new ArrayList<>();
        for (int i = 0; i < series; i++) {
            points.add(new CounterDataPointSnapshot(i, Labels.of("route", "/r" + i, "worker_id", worker), null, 0));
        }
        return MetricSnapshots.of(new CounterSnapshot(new MetricMetadata("requests"), points));
    }

    private static String written(ExpositionFormatWriter writer, MetricSnapshots snapshots) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toString(StandardCharsets.UTF_8);
    }

}
