package io.github.workerexporter.e2e;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.testing.LoopbackHttp.Answer;
import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.storage.file.FileStoreFaultsSupport;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.workerexporter.e2e.Totals.assertExact;
import static io.github.workerexporter.e2e.Totals.requests;
import static io.github.workerexporter.e2e.Workers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quick shared-directory faults, each with one real worker JVM ({@link E2eWorker})
 * and real HTTP on loopback: foreign and hostile files in the directory, and the worker's
 * own file truncated under it. The long faults (the directory deleted, read-only, a full
 * disk) are in {@link FileFaultsReliabilityTests}.
 *
 * @author Worker Exporter
 */
class FileFaultsTests {

    @TempDir
    Path dir;

    @Test
    void theScrapeSkipsForeignAndHostileFilesWithOneWarningEachAndServesEveryGoodWorker() throws IOException {
        Path shared = this.dir.resolve("multiproc");
        try (Workers workers = workers(shared)) {
            Worker worker = workers.start("w1").get(0);
            List<Worker> w1 = List.of(worker);
            workers.sendAndAwaitExact(worker, 300);
            publishAGoodWorker(shared, "w0", 7);
            Path worker1 = file(shared, "w1");
            List<Path> hostile = List.of(write(shared, "noise", random(5000)), write(shared, "empty", new byte[0]),
                    write(shared, "python",
                            FileStoreFaultsSupport.pythonMmapFile("[\"gunicorn_worker_requests\", "
                                    + "\"gunicorn_worker_requests_total\", {\"worker_id\": \"9\"}, \"h\"]")),
                    Files.createDirectory(file(shared, "directory")),
                    write(shared, "truncated", Arrays.copyOf(Files.readAllBytes(worker1), 100)),
                    write(shared, "short-body", FileStoreFaultsSupport.workerFile(new byte[] { 0, 0 }, 2)),
                    huge(write(shared, "huge", FileStoreFaultsSupport.workerFile(new byte[0], 1 << 30))));
            Files.write(shared.resolve("counter_1234.db"), FileStoreFaultsSupport
                .pythonMmapFile("[\"gunicorn_worker_requests\", \"gunicorn_worker_requests_total\", {}, \"h\"]"));
            byte[] garbage = body("garbage", random(300));
            write(shared, "garbage", FileStoreFaultsSupport.workerFile(garbage, garbage.length));
            for (int scrape = 0; scrape < 3; scrape++) {
                Answer answer = workers.scrapeRaw(worker);
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
                // w1 and w0: the record whose metrics cannot be decoded is alive in no
                // state.
                assertThat(answer.body()).contains("gunicorn_master_workers{state=\"alive\"} 2.0");
                RequestExposition exposition = RequestExposition.parse(answer.body());
                assertExact(exposition, w1);
                assertThat(requests(exposition, "w0")).isEqualTo(7);
                assertThat(exposition.series("gunicorn_worker_requests_total")).hasSize(2);
            }
            for (int scrape = 0; scrape < 2; scrape++) {
                Answer answer = workers.get(worker, "/actuator/prometheus");
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
            }
            // 500 requests handled and 2 actuator scrapes answered.
            workers.sendAndAwaitExact(worker, 200);
            assertThat(worker.other()).isEqualTo(2);
            for (Path path : hostile) {
                assertThat(worker.warnings("Skipped " + path + " ")).as(path.toString()).hasSize(1);
            }
            assertThat(worker.warnings("Skipped the metrics of worker garbage")).hasSize(1);
            assertThat(worker.log()).doesNotContain("counter_1234.db").doesNotContain("OutOfMemoryError");
        }
    }

    @Test
    void aWorkerWhoseLiveFileIsTruncatedWritesItAgainAndLosesNothing() throws IOException {
        Path shared = this.dir.resolve("multiproc");
        try (Workers workers = workers(shared)) {
            Worker worker = workers.start("w1").get(0);
            workers.sendAndAwaitExact(worker, 500);
            for (long size : new long[] { 0, 30 }) {
                try (FileChannel channel = FileChannel.open(file(shared, "w1"), StandardOpenOption.WRITE)) {
                    channel.truncate(size);
                }
                assertThat(workers.send(worker, 500).ok()).isEqualTo(500);
            }
            workers.awaitExact(worker, DEADLINE, List.of(worker));
            workers.sendAndAwaitExact(worker, 100);
            // The worker writes in place, so a truncation is no failure of a flush: the
            // next flush finds its file shorter than it wrote it and writes a new one.
            assertThat(worker.warnings("Flush to file storage failed")).isEmpty();
        }
    }

    /**
     * Workers on a shared directory, under a wrapper command or none.
     */
    static Workers workers(Path logs, List<String> wrapper, Path shared) {
        return new Workers(logs, wrapper, E2eWorker.class, List.of("--exporter.prometheus.multiproc-dir=" + shared,
                "--exporter.storage.flush-interval=200ms", "--exporter.prometheus.metrics-port=0"));
    }

    private Workers workers(Path shared) {
        return workers(this.dir.resolve("logs"), List.of(), shared);
    }

    /**
     * The record of a worker that is not running here, written as a worker would.
     */
    private static void publishAGoodWorker(Path shared, String id, int requests) {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder()
            .name("gunicorn_worker_requests")
            .labelNames("worker_id")
            .register(registry)
            .labelValues(id)
            .inc(requests);
        FileMetricStore store = new FileMetricStore(shared, Duration.ofMinutes(5), Clock.systemUTC(), false);
        store.publish(new WorkerRecord(id, ProcessHandle.current().pid(), System.currentTimeMillis(),
                System.currentTimeMillis(), WorkerState.RUNNING, null,
                new BinarySnapshotCodec().encode(registry.scrape())));
        store.close();
    }

    /**
     * A body of the file layout: the worker id, state and stop reason, then the metrics.
     */
    private static byte[] body(String id, byte[] metrics) {
        byte[] name = id.getBytes(StandardCharsets.UTF_8);
        byte[] state = "running".getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(12 + name.length + state.length + metrics.length)
            .putInt(name.length)
            .put(name)
            .putInt(state.length)
            .put(state)
            .putInt(0)
            .put(metrics)
            .array();
    }

    /**
     * Make the file as long as the 1 GiB body its header claims, sparsely.
     */
    private static Path huge(Path file) throws IOException {
        try (RandomAccessFile random = new RandomAccessFile(file.toFile(), "rw")) {
            random.setLength(48 + (1L << 30));
        }
        return file;
    }

    /**
     * The file of a worker in the shared directory.
     */
    static Path file(Path shared, String id) {
        return shared.resolve("worker-" + HexFormat.of().formatHex(id.getBytes(StandardCharsets.UTF_8)) + ".metrics");
    }

    private static Path write(Path shared, String id, byte[] bytes) throws IOException {
        return Files.write(file(shared, id), bytes);
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        new Random(length).nextBytes(bytes);
        return bytes;
    }

}
