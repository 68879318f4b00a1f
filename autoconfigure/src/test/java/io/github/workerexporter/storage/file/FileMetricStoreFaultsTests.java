package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.merge.RestartCarry;
import io.github.workerexporter.metrics.MasterRestarts;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.storage.MutableClock;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.publish.WorkerPublisher;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileStoreFaultsSupport.Tmpfs;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Faults of the shared directory under one {@link FileMetricStore}, in this JVM, on a
 * real file system: a file truncated or a directory deleted under a live writer, a full
 * file system (a real tmpfs where this process may mount one), and hostile files. The
 * end-to-end proofs with worker JVMs are in {@code e2e.FileFaults*Tests}.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class FileMetricStoreFaultsTests {

    private static final Duration RETENTION = Duration.ofMinutes(5);

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();

    private final List<FileMetricStore> stores = new ArrayList<>();

    @AfterEach
    void closeStores() {
        this.stores.forEach(FileMetricStore::close);
    }

    @Test
    void aWriterWhoseFileWasTruncatedUnderItWritesANewFile() throws IOException {
        for (long size : new long[] { 0, 20, WorkerFileLayout.HEADER_LENGTH + 10, 5000 }) {
            FileMetricStore store = open();
            String id = "truncated-to-" + size;
            store.publish(record(id, 1, new byte[6000]));
            try (FileChannel channel = FileChannel.open(store.pathOf(id), StandardOpenOption.WRITE)) {
                channel.truncate(size);
            }
            WorkerRecord next = record(id, 2, payload(7000));
            store.publish(next);
            assertThat(open().readAll()).as("truncated to %d bytes", size).contains(next);
            WorkerRecord after = record(id, 3, payload(7001));
            store.publish(after);
            assertThat(open().readAll()).as("truncated to %d bytes", size).contains(after);
        }
    }

    @Test
    void aWriteRacingATruncationLeavesAWholeRecordAndTheWriterStartsANewFileNext() throws IOException {
        Path path = this.dir.resolve("worker-77.metrics");
        try (WorkerFileWriter writer = new WorkerFileWriter(path, record("w", 1, payload(100)))) {
            assertThat(writer.intact()).isTrue();
            // The truncation after the writer's check, before its write.
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
                channel.truncate(0);
            }
            WorkerRecord next = record("w", 2, payload(200));
            writer.write(next);
            assertThat(WorkerFileReader.readOnce(path)).isEqualTo(next);
            assertThat(writer.intact()).isFalse();
        }
    }

    @Test
    void writersRecreateTheSharedDirectoryDeletedUnderThem() throws IOException {
        Path shared = this.dir.resolve("multiproc");
        FileMetricStore first = open(shared);
        FileMetricStore second = open(shared);
        first.publish(record("w1", 1, payload(100)));
        second.publish(record("w2", 1, payload(200)));
        assertThat(FileSystemUtils.deleteRecursively(shared)).isTrue();
        // While it is gone the store cannot be read: the scrape serves the local metrics.
        assertThatExceptionOfType(StoreException.class).isThrownBy(first::readAll);
        WorkerRecord one = record("w1", 2, payload(101));
        WorkerRecord two = record("w2", 2, payload(201));
        first.publish(one);
        second.publish(two);
        assertThat(first.readAll()).containsExactlyInAnyOrder(one, two);
        assertThat(Files.list(shared)).hasSize(2);
    }

    @Test
    void aFullFileSystemFailsTheFlushWithoutFaultingAndKeepsTheLastRecordUntilThereIsRoomAgain(CapturedOutput output)
            throws IOException {
        Optional<Tmpfs> tmpfs = FileStoreFaultsSupport.mountTmpfs(this.dir.resolve("tmpfs"), 256 * 1024);
        if (tmpfs.isEmpty()) {
            // Not permitted to mount here: check what keeps the last record whole on a
            // full disk, that the writer allocates every byte before it writes a record.
            FileMetricStore store = open();
            store.publish(record("w", 1, payload(20_000)));
            store.publish(record("w", 2, payload(100)));
            long size = Files.size(store.pathOf("w"));
            String blocks = FileStoreFaultsSupport.run("stat", "-c", "%b", store.pathOf("w").toString())
                .output()
                .trim();
            assertThat(Long.parseLong(blocks) * 512).as("allocated bytes of %d", size).isGreaterThanOrEqualTo(size);
            return;
        }
        try (Tmpfs mounted = tmpfs.get()) {
            FileMetricStore store = open(mounted.path());
            // A capacity of 32 KiB with 20 KB used, then a shorter record.
            store.publish(record("w", 1, payload(20_000)));
            store.publish(record("w", 2, payload(100)));
            Path filler = mounted.path().resolve("filler");
            assertThat(FileStoreFaultsSupport.fill(filler)).isPositive();
            // Within the capacity: the bytes are allocated, the write needs no room.
            WorkerRecord within = record("w", 3, payload(28_000));
            store.publish(within);
            assertThat(store.readAll()).containsExactly(within);
            // Past the capacity: the file cannot grow.
            assertThatExceptionOfType(StoreException.class)
                .isThrownBy(() -> store.publish(record("w", 4, payload(100_000))))
                .withMessageContaining("No space left");
            assertThat(store.readAll()).containsExactly(within);
            // A new worker cannot create its file, and leaves no temporary file.
            FileMetricStore newcomer = open(mounted.path());
            assertThatExceptionOfType(StoreException.class)
                .isThrownBy(() -> newcomer.publish(record("new", 1, payload(100))));
            assertThat(Files.list(mounted.path()).map((path) -> path.getFileName().toString()))
                .containsExactlyInAnyOrder("filler", store.pathOf("w").getFileName().toString());
            Files.delete(filler);
            WorkerRecord grown = record("w", 5, payload(100_000));
            store.publish(grown);
            WorkerRecord created = record("new", 2, payload(100));
            newcomer.publish(created);
            assertThat(store.readAll()).containsExactlyInAnyOrder(grown, created);
        }
        assertThat(output).doesNotContain("InternalError");
    }

    @Test
    void skipsHostileFilesWithOneWarningEachAndReadsTheGoodWorkers(CapturedOutput output) throws IOException {
        FileMetricStore store = open();
        WorkerRecord good = record("good", 1, payload(300));
        store.publish(good);
        byte[] random = new byte[5000];
        new Random(7).nextBytes(random);
        Path noise = write("worker-6e6f697365.metrics", random);
        Path empty = write("worker-656d707479.metrics", new byte[0]);
        Path python = write("worker-707974686f6e.metrics", FileStoreFaultsSupport.pythonMmapFile(
                "[\"gunicorn_worker_requests\", \"gunicorn_worker_requests_total\", {\"worker_id\": \"1\"}, \"h\"]"));
        write("counter_1234.db", FileStoreFaultsSupport.pythonMmapFile("[\"c\", \"c_total\", {}, \"h\"]"));
        Path directory = Files.createDirectory(this.dir.resolve("worker-646972.metrics"));
        // A whole header and a checksum that matches, over a body too short for its
        // strings.
        Path shortBody = write("worker-73686f7274.metrics", FileStoreFaultsSupport.workerFile(new byte[] { 0, 0 }, 2));
        // A header that claims a body of 1 GiB, in a sparse file that long.
        Path huge = write("worker-68756765.metrics", FileStoreFaultsSupport.workerFile(new byte[0], 1 << 30));
        try (RandomAccessFile file = new RandomAccessFile(huge.toFile(), "rw")) {
            file.setLength(WorkerFileLayout.HEADER_LENGTH + (1L << 30));
        }
        assertThat(store.readAll()).containsExactly(good);
        assertThat(store.readAll()).containsExactly(good);
        List<String> warnings = output.getAll().lines().filter((line) -> line.contains("WARN")).toList();
        for (Path hostile : List.of(noise, empty, python, directory, shortBody, huge)) {
            assertThat(warnings).filteredOn((line) -> line.contains("Skipped " + hostile + " "))
                .as(hostile.toString())
                .hasSize(1);
        }
        assertThat(warnings).hasSize(6);
        assertThat(output).doesNotContain("counter_1234.db");
    }

    @Test
    void aRecordWhoseMetricsCannotBeDecodedIsNeitherAliveNorServedAndTheOthersAre(CapturedOutput output) {
        Life good = new Life(open(), 100);
        good.requests.inc(3);
        good.publisher.flushNow();
        // A file of a valid layout, whole and with matching checksums, whose metrics are
        // garbage.
        byte[] garbage = new byte[300];
        new Random(11).nextBytes(garbage);
        open().publish(new WorkerRecord("garbage", 2, 1000, this.clock.millis(), WorkerState.RUNNING, null, garbage));
        MergingCollector view = new MergingCollector(new WorkerCensus(open(), new BinarySnapshotCodec(), "gunicorn",
                Duration.ofSeconds(15), this.clock, this.clock::nanoTime), "gunicorn", Map.of(), MetricSnapshots::of);
        for (int scrape = 0; scrape < 3; scrape++) {
            MetricSnapshots merged = view.collect();
            assertThat(values(merged, "gunicorn_worker_requests")).containsOnly(Map.entry("w1", 3.0));
            assertThat(values(merged, "gunicorn_master_workers")).containsOnly(Map.entry("alive", 1.0),
                    Map.entry("stopped", 0.0), Map.entry("lost", 0.0));
        }
        assertThat(output.getAll().lines().filter((line) -> line.contains("WARN")))
            .singleElement(InstanceOfAssertFactories.STRING)
            .contains("Skipped the metrics of worker garbage");
    }

    @Test
    void refusesToWriteARecordLongerThanAReaderAccepts() {
        FileMetricStore store = open();
        assertThatExceptionOfType(StoreException.class)
            .isThrownBy(() -> store.publish(record("w", 1, new byte[WorkerFileLayout.MAX_BODY_LENGTH + 1])));
        store.publish(record("w", 2, payload(10)));
        assertThat(store.readAll()).hasSize(1);
    }

    @Test
    void aWorkerStartedWhileTheDirectoryCannotBeReadCarriesTheRestartsOfItsEarlierLivesOnceItCan(CapturedOutput output)
            throws IOException {
        Path shared = this.dir.resolve("multiproc");
        Life first = new Life(open(shared), 100);
        first.requests.inc(5);
        first.lifecycle.transition(WorkerState.STOPPING);
        first.lifecycle.transition(WorkerState.STOPPED);
        first.publisher.flushNow();
        // Its process ends, which releases its claim of the worker id.
        first.close();
        // A life that crashed after its first flush.
        Life second = new Life(open(shared), 200);
        second.requests.inc(6);
        second.publisher.flushNow();
        second.close();
        MergingCollector view = new MergingCollector(new WorkerCensus(open(shared), new BinarySnapshotCodec(),
                "gunicorn", Duration.ofSeconds(15), this.clock, this.clock::nanoTime), "gunicorn", Map.of(),
                MetricSnapshots::of);
        assertThat(restarts(view.collect())).containsExactly(Map.entry("term", 1.0));
        // The store of the third life opens, then the directory becomes a file: nothing
        // can be listed, read or written there, as root too.
        FileMetricStore store = open(shared);
        Path away = Files.move(shared, this.dir.resolve("away"));
        Files.writeString(shared, "not a directory");
        int mark = output.getAll().length();
        try (Life third = new Life(store, 300).start(Duration.ofMillis(20))) {
            third.master.signal("usr1");
            third.requests.inc(7);
            awaitLog(output, mark, "Flush to file storage failed");
            Files.delete(shared);
            Files.move(away, shared);
            MetricSnapshots merged = awaitRequests(view, 7);
            assertThat(restarts(merged)).containsOnly(Map.entry("term", 1.0), Map.entry("crash", 1.0),
                    Map.entry("usr1", 1.0));
        }
        assertThat(output.getAll().substring(mark)).contains("Cannot read the previous life of worker w1");
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(this.dir.resolve(name), bytes);
    }

    private FileMetricStore open() {
        return open(this.dir);
    }

    private FileMetricStore open(Path directory) {
        FileMetricStore store = new FileMetricStore(directory, RETENTION, this.clock);
        this.stores.add(store);
        return store;
    }

    private WorkerRecord record(String id, long heartbeat, byte[] metrics) {
        return new WorkerRecord(id, ProcessHandle.current().pid(), 1000, this.clock.millis() + heartbeat,
                WorkerState.RUNNING, null, metrics);
    }

    /**
     * Collect the merged view until worker w1's requests have the value.
     */
    private static MetricSnapshots awaitRequests(MergingCollector view, double requests) {
        return await("w1 at " + requests + " requests in the merged view").atMost(DEADLINE)
            .pollInterval(Duration.ofMillis(20))
            .until(view::collect,
                    (merged) -> values(merged, "gunicorn_worker_requests").getOrDefault("w1", 0.0) == requests);
    }

    /**
     * The merged restart counter by reason, without the reasons still at 0.
     */
    private static Map<String, Double> restarts(MetricSnapshots merged) {
        Map<String, Double> byReason = values(merged, "gunicorn_master_worker_restart");
        byReason.values().removeIf((value) -> value == 0);
        return byReason;
    }

    /**
     * The values of a counter or gauge family by its first label's value.
     */
    private static Map<String, Double> values(MetricSnapshots merged, String family) {
        Map<String, Double> values = new TreeMap<>();
        merged.stream()
            .filter((snapshot) -> snapshot.getMetadata().getPrometheusName().equals(family))
            .flatMap((snapshot) -> snapshot.getDataPoints().stream())
            .forEach((point) -> values.put(point.getLabels().getValue(0),
                    (point instanceof CounterDataPointSnapshot counter) ? counter.getValue()
                            : ((GaugeDataPointSnapshot) point).getValue()));
        return values;
    }

    private static void awaitLog(CapturedOutput output, int mark, String message) {
        await("'" + message + "' in the log").atMost(DEADLINE)
            .pollInterval(Duration.ofMillis(20))
            .until(() -> output.getAll().substring(mark).contains(message));
    }

    private static byte[] payload(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + length);
        }
        return bytes;
    }

    /**
     * One life of worker w1 as the auto-configuration wires it: a registry of its own
     * with a request counter and the master counters, its state, its own store and its
     * flusher, which flushes when the test asks or, once started, on its schedule.
     * Closing it ends the life without a last flush, and closes its store, which releases
     * its claim of the worker id as the end of its process would.
     */
    private final class Life implements AutoCloseable {

        private final PrometheusRegistry registry = new PrometheusRegistry();

        private final MasterRestarts master = new MasterRestarts("gunicorn", "w1");

        private final Counter requests = Counter.builder().name("gunicorn_worker_requests").register(this.registry);

        private final WorkerLifecycle lifecycle = new WorkerLifecycle();

        private final WorkerPublisher publisher;

        private final FileMetricStore store;

        Life(FileMetricStore store, long startMillis) {
            this.registry.register(this.master);
            this.store = store;
            this.publisher = new WorkerPublisher(store, new BinarySnapshotCodec(),
                    new WorkerIdentity("w1", startMillis, Instant.ofEpochMilli(startMillis)), this.registry::scrape,
                    (name) -> true, this.lifecycle,
                    (records) -> RestartCarry.carry(records, "w1", startMillis, new BinarySnapshotCodec(), this.master),
                    FileMetricStoreFaultsTests.this.clock, WorkerIdConflict.of("gunicorn",
                            new WorkerIdentity("w1", startMillis, Instant.ofEpochMilli(startMillis))));
        }

        Life start(Duration flushInterval) {
            this.publisher.start(flushInterval);
            return this;
        }

        @Override
        public void close() {
            this.publisher.close();
            this.store.close();
        }

    }

}
