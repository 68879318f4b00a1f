package io.github.workerexporter.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of real writer JVMs ({@link WorkerFaultsFileWriter}) in the middle of a
 * write to their memory-mapped file: each writes records of 1 MiB without pause, so a
 * kill at a random moment most likely interrupts the copy of a record into the file. A
 * reader that opens the directory afterwards must find, for every killed writer, one
 * whole record (every byte from the same flush), never a skipped file.
 *
 * @author Worker Exporter
 */
class WorkerFaultsFileTests {

    private static final int KILLS = 5;

    @TempDir
    Path dir;

    @Test
    void aWorkerKilledInTheMiddleOfAFlushLeavesItsLastCompleteRecordReadable() throws Exception {
        Path store = this.dir.resolve("multiproc");
        List<String> ids = new ArrayList<>();
        for (int kill = 0; kill < KILLS; kill++) {
            String id = "killed-" + kill;
            Process writer = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-Xmx64m",
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    WorkerFaultsFileWriter.class.getName(), store.toString(), id)
                .redirectErrorStream(true)
                .start();
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                // A JVM may warn first; a skipped file would show in the reads below.
                String line = out.readLine();
                while (line != null && !line.equals("ready")) {
                    line = out.readLine();
                }
                assertThat(line).as("writer %s ready", id).isEqualTo("ready");
                Thread.sleep(ThreadLocalRandom.current().nextLong(50, 300));
                writer.destroyForcibly();
                assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            ids.add(id);
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
