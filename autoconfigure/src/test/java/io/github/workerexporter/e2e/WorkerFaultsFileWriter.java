package io.github.workerexporter.e2e;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;

/**
 * A JVM that does nothing but flush to a shared directory, as fast as it can, records of
 * 1 MiB whose bytes all equal the number of the flush (mod 256): so that a
 * {@code kill -9} at a random moment most likely lands in the middle of a write, and a
 * record mixed from two flushes shows. Prints {@link E2eWorker#READY} after its first
 * flush. Arguments, as a worker's: {@code --exporter.worker.id=<id>} and
 * {@code --exporter.prometheus.multiproc-dir=<directory>}.
 *
 * @author Worker Exporter
 */
public final class WorkerFaultsFileWriter {

    /** The size of each record's metrics. */
    static final int SIZE = 1 << 20;

    private WorkerFaultsFileWriter() {
    }

    public static void main(String[] args) {
        String id = value(args, "--exporter.worker.id=");
        FileMetricStore store = new FileMetricStore(Path.of(value(args, "--exporter.prometheus.multiproc-dir=")),
                Duration.ofMinutes(5), Clock.systemUTC());
        long pid = ProcessHandle.current().pid();
        long start = System.currentTimeMillis();
        byte[] metrics = new byte[SIZE];
        for (long flush = 0;; flush++) {
            Arrays.fill(metrics, (byte) flush);
            store.publish(
                    new WorkerRecord(id, pid, start, System.currentTimeMillis(), WorkerState.RUNNING, null, metrics));
            if (flush == 0) {
                System.out.println(E2eWorker.READY);
                System.out.flush();
            }
        }
    }

    private static String value(String[] args, String prefix) {
        return Arrays.stream(args)
            .filter((arg) -> arg.startsWith(prefix))
            .map((arg) -> arg.substring(prefix.length()))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("No " + prefix + " in " + Arrays.toString(args)));
    }

}
