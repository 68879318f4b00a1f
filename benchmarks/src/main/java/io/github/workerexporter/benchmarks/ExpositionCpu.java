package io.github.workerexporter.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import com.sun.management.ThreadMXBean;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import io.github.workerexporter.server.PrometheusTextExposition;

/**
 * CPU time and allocation of one text exposition of a merged view (collected once, not
 * measured), on this thread, so that a machine shared with other work still gives
 * comparable figures: the metrics server's {@link PrometheusTextExposition} against
 * client_java's {@link PrometheusTextFormatWriter}, then gzip at level 1 against level 6
 * (the JDK's default), alternating the two of each pair. Prints the median and the
 * quartiles. Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.github.workerexporter.benchmarks.ExpositionCpu [store] [workers] [rounds]}.
 *
 * @author Worker Exporter
 */
public final class ExpositionCpu {

    private static final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ExpositionCpu() {
    }

    public static void main(String[] args) throws IOException {
        ScrapeBenchmark fixture = new ScrapeBenchmark();
        fixture.store = (args.length > 0) ? args[0] : "file";
        fixture.workers = (args.length > 1) ? Integer.parseInt(args[1]) : 1024;
        int rounds = (args.length > 2) ? Integer.parseInt(args[2]) : 15;
        fixture.fillStore();
        try {
            MetricSnapshots view = fixture.collected();
            ExpositionFormatWriter ours = new PrometheusTextExposition(false, true);
            ExpositionFormatWriter theirs = PrometheusTextFormatWriter.create();
            for (int i = 0; i < 5; i++) {
                measure(ours, view, 0);
                measure(theirs, view, 0);
                measure(ours, view, 1);
            }
            long[][] cpu = new long[4][rounds];
            long[][] bytes = new long[4][rounds];
            for (int r = 0; r < rounds; r++) {
                measureInto(ours, view, 0, cpu, bytes, 0, r);
                measureInto(theirs, view, 0, cpu, bytes, 1, r);
                measureInto(ours, view, 1, cpu, bytes, 2, r);
                measureInto(ours, view, 6, cpu, bytes, 3, r);
            }
            String[] names = { "ours, plain", "client_java, plain", "ours, gzip 1", "ours, gzip 6" };
            System.out.printf(
                    "%s store, %d workers x %d series, %d rounds (CPU ms of this thread; KB allocated in the last round;"
                            + " MB written)%n",
                    fixture.store, fixture.workers, fixture.series, rounds);
            for (int i = 0; i < 4; i++) {
                System.out.printf("%-20s cpu %s   alloc %.1f KB   out %.2f MB%n", names[i], quartiles(cpu[i]),
                        bytes[i][rounds - 1] / 1e3, written[i] / 1e6);
            }
        }
        finally {
            fixture.closeStore();
        }
    }

    private static final long[] written = new long[4];

    private static void measureInto(ExpositionFormatWriter writer, MetricSnapshots view, int level, long[][] cpu,
            long[][] allocated, int index, int round) throws IOException {
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long before = threads.getCurrentThreadCpuTime();
        long out = measure(writer, view, level);
        cpu[index][round] = threads.getCurrentThreadCpuTime() - before;
        allocated[index][round] = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        written[index] = out;
    }

    private static long measure(ExpositionFormatWriter writer, MetricSnapshots view, int level) throws IOException {
        CountingStream counting = new CountingStream();
        if (level == 0) {
            writer.write(counting, view);
        }
        else {
            try (OutputStream gzip = new LevelGzip(counting, level)) {
                writer.write(gzip, view);
            }
        }
        return counting.count;
    }

    private static String quartiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return String.format("median %.0f ms (quartiles %.0f-%.0f)", sorted[n / 2] / 1e6, sorted[n / 4] / 1e6,
                sorted[(3 * n) / 4] / 1e6);
    }

    private static final class LevelGzip extends GZIPOutputStream {

        LevelGzip(OutputStream out, int level) throws IOException {
            super(out, 16 * 1024);
            this.def.setLevel(level);
        }

    }

}
