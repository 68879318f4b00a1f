package io.github.workerexporter.e2e;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of real writer JVMs ({@link WorkerFaultsFileWriter}, started by
 * {@link Workers}) in the middle of a write to their file: each writes records of 1 MiB
 * without pause, so a kill at a random moment most likely interrupts the copy of a record
 * into the file. A reader that opens the directory afterwards must find, for every killed
 * writer, one whole record (every byte from the same flush), never a skipped file.
 *
 * @author Worker Exporter
 */
class WorkerFaultsFileTests {

    private static final int KILLS = 5;

    @TempDir
    Path dir;

    @Test
    void aWorkerKilledInTheMiddleOfAFlushLeavesItsLastCompleteRecordReadable() {
        Path store = this.dir.resolve("multiproc");
        List<String> ids = new ArrayList<>();
        try (Workers writers = new Workers(this.dir.resolve("logs"), List.of(), WorkerFaultsFileWriter.class,
                List.of("--exporter.prometheus.multiproc-dir=" + store))) {
            for (int kill = 0; kill < KILLS; kill++) {
                String id = "killed-" + kill;
                Worker writer = writers.start(id).get(0);
                Workers.sleep(ThreadLocalRandom.current().nextLong(50, 300));
                writers.kill(writer);
                ids.add(id);
            }
        }
        FileMetricStore reader = new FileMetricStore(store, Duration.ofMinutes(5), Clock.systemUTC());
        List<WorkerRecord> records = reader.readAll();
        reader.close();
        assertThat(records).extracting(WorkerRecord::workerId).containsExactlyInAnyOrderElementsOf(ids);
        for (WorkerRecord record : records) {
            byte[] metrics = record.metrics();
            assertThat(metrics).as(record.workerId()).hasSize(WorkerFaultsFileWriter.SIZE);
            byte first = metrics[0];
            for (int i = 0; i < metrics.length; i++) {
                if (metrics[i] != first) {
                    throw new AssertionError(record.workerId() + ": byte " + i + " is from another flush");
                }
            }
        }
    }

}
