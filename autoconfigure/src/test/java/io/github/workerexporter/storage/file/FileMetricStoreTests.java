package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.storage.MutableClock;
import io.github.workerexporter.storage.WorkerIdConflictException;
import io.github.workerexporter.storage.WorkerLife;
import io.github.workerexporter.storage.WorkerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

@ExtendWith(OutputCaptureExtension.class)
class FileMetricStoreTests {

    private static final Duration RETENTION = Duration.ofMinutes(5);

    private static final WorkerLife LIFE = new WorkerLife(1, "host-a", 1000);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();

    private final List<FileMetricStore> stores = new ArrayList<>();

    @AfterEach
    void closeStores() {
        this.stores.forEach(FileMetricStore::close);
    }

    @Test
    void readsBackWhatItPublished() {
        FileMetricStore store = open();
        WorkerRecord record = record("host-1", 1, WorkerState.RUNNING, null, new byte[] { 1, 2, 3 });
        store.publish(record);
        assertThat(store.readAll()).containsExactly(record);
        WorkerRecord next = record("host-1", 2, WorkerState.STOPPED, StopReason.TERM, new byte[] { 4 });
        store.publish(next);
        assertThat(store.readAll()).containsExactly(next);
    }

    @Test
    void twoWorkersInOneDirectorySeeEachOther() {
        FileMetricStore first = open();
        FileMetricStore second = open();
        WorkerRecord one = record("worker/one ü", 1, WorkerState.RUNNING, null, new byte[] { 1 });
        WorkerRecord two = record("WORKER/ONE Ü", 1, WorkerState.RUNNING, null, new byte[] { 2 });
        first.publish(one);
        second.publish(two);
        assertThat(first.readAll()).containsExactlyInAnyOrder(one, two);
        assertThat(second.readAll()).containsExactlyInAnyOrder(one, two);
    }

    @Test
    void handsEachRecordToTheReaderBeforeItReadsTheNextFile() {
        FileMetricStore store = open();
        for (int i = 0; i < 4; i++) {
            store.publish(record("w" + i, 1, WorkerState.RUNNING, null, new byte[] { (byte) i }));
        }
        AtomicBoolean first = new AtomicBoolean(true);
        List<WorkerRecord> seen = store.readAll((record) -> {
            if (first.getAndSet(false)) {
                // Every other worker flushes while the reader holds the first record.
                for (int i = 0; i < 4; i++) {
                    if (!record.workerId().equals("w" + i)) {
                        store.publish(record("w" + i, 2, WorkerState.RUNNING, null, new byte[] { (byte) (10 + i) }));
                    }
                }
            }
            return new WorkerRecord(record.workerId(), record.pid(), record.startTimeMillis(), record.heartbeatMillis(),
                    record.state(), record.stopReason(), record.metrics());
        });
        assertThat(seen).hasSize(4);
        assertThat(seen.subList(1, 4)).allSatisfy((record) -> {
            assertThat(record.heartbeatMillis()).isEqualTo(this.clock.millis() + 2);
            assertThat(record.metrics()).containsExactly(10 + Integer.parseInt(record.workerId().substring(1)));
        });
    }

    @Test
    void recordsOfReadAllKeepTheirMetricsWhileTheThreadReadsOn() {
        FileMetricStore store = open();
        List<WorkerRecord> published = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            published.add(record("w" + i, 1, WorkerState.RUNNING, null, payload(100 + i)));
            store.publish(published.get(i));
        }
        List<WorkerRecord> first = store.readAll();
        for (int i = 0; i < 3; i++) {
            store.publish(record("w" + i, 2, WorkerState.RUNNING, null, payload(200 + i)));
        }
        store.readAll();
        store.readAll(WorkerRecord::metricsLength);
        assertThat(first).containsExactlyInAnyOrderElementsOf(published);
    }

    @Test
    void aReadInsideTheReaderLeavesTheRecordItHoldsIntact() {
        FileMetricStore store = open();
        FileMetricStore other = open();
        for (int i = 0; i < 3; i++) {
            store.publish(record("w" + i, 1, WorkerState.RUNNING, null, payload(300 + i)));
        }
        List<Boolean> intact = store.readAll((record) -> {
            byte[] before = record.metrics();
            assertThat(other.readAll()).hasSize(3);
            assertThat(other.readAll((nested) -> nested.metrics().length)).hasSize(3);
            return java.util.Arrays.equals(record.metrics(), before)
                    && java.util.Arrays.equals(before, payload(300 + Integer.parseInt(record.workerId().substring(1))));
        });
        assertThat(intact).containsExactly(true, true, true);
    }

    @Test
    void aReadersExceptionEndsTheReadAndTheNextReadSeesEveryRecord() {
        FileMetricStore store = open();
        for (int i = 0; i < 3; i++) {
            store.publish(record("w" + i, 1, WorkerState.RUNNING, null, payload(400 + i)));
        }
        assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> store.readAll((record) -> {
            throw new IllegalStateException("reader failed");
        })).withMessage("reader failed");
        assertThat(store.readAll(WorkerRecord::metrics)).containsExactlyInAnyOrder(payload(400), payload(401),
                payload(402));
    }

    @Test
    void answersNoReaderResultForARecordWhoseDataExpired() {
        FileMetricStore old = open();
        old.publish(record("old", this.clock.millis(), WorkerState.STOPPED, StopReason.TERM, new byte[] { 1 }));
        this.clock.advance(RETENTION.plusSeconds(1));
        FileMetricStore current = new FileMetricStore(this.dir, RETENTION, RETENTION, this.clock, this.clock::nanoTime,
                false);
        this.stores.add(current);
        current.publish(record("fresh", this.clock.millis(), WorkerState.RUNNING, null, new byte[] { 2 }));
        assertThat(current.readAll(WorkerRecord::workerId)).containsExactly("fresh");
        assertThat(Files.exists(current.pathOf("old"))).isTrue();
    }

    @Test
    void handsNoReaderARecordWhoseDataHadExpiredAtThePreviousReadAndIsUnchanged() {
        FileMetricStore old = open();
        old.publish(record("old", this.clock.millis(), WorkerState.STOPPED, StopReason.TERM, new byte[] { 1 }));
        this.clock.advance(RETENTION.plusSeconds(1));
        FileMetricStore keeping = keeping();
        keeping.publish(record("fresh", this.clock.millis(), WorkerState.RUNNING, null, new byte[] { 2 }));
        List<String> handed = new ArrayList<>();
        Function<WorkerRecord, String> reader = (record) -> {
            handed.add(record.workerId());
            return record.workerId();
        };
        assertThat(keeping.readAll(reader)).containsExactly("fresh");
        handed.clear();
        this.clock.advance(Duration.ofSeconds(1));
        assertThat(keeping.readAll(reader)).containsExactly("fresh");
        assertThat(handed).containsExactly("fresh");
        old.publish(record("old", this.clock.millis(), WorkerState.RUNNING, null, new byte[] { 3 }));
        assertThat(keeping.readAll(reader)).containsExactlyInAnyOrder("fresh", "old");
    }

    @Test
    void answersARecordThatExpiredAtThePreviousReadWhenAReadWithoutItAndAWallClockJumpMakeItYoungAgain()
            throws IOException {
        FileMetricStore writer = open();
        for (int i = 0; i < 3; i++) {
            writer.publish(record("old" + i, this.clock.millis(), WorkerState.STOPPED, StopReason.TERM,
                    new byte[] { (byte) i }));
        }
        this.clock.advance(RETENTION.plusSeconds(1));
        FileMetricStore keeping = keeping();
        keeping.publish(record("fresh", this.clock.millis(), WorkerState.RUNNING, null, new byte[] { 9 }));
        assertThat(keeping.readAll(WorkerRecord::workerId)).containsExactly("fresh");
        AtomicBoolean first = new AtomicBoolean(true);
        List<WorkerRecord> read = keeping.readAll((record) -> {
            if (first.getAndSet(false)) {
                // A read that misses the old files forgets them, and the wall clock
                // jumps back: the next sight of each believes its heartbeat.
                hideOldFiles(keeping, true);
                assertThat(keeping.readAll(WorkerRecord::workerId)).containsExactly("fresh");
                hideOldFiles(keeping, false);
                this.clock.jump(RETENTION.negated());
            }
            return new WorkerRecord(record.workerId(), record.pid(), record.startTimeMillis(), record.heartbeatMillis(),
                    record.state(), record.stopReason(), record.metrics());
        });
        assertThat(read).extracting(WorkerRecord::workerId).containsExactlyInAnyOrder("fresh", "old0", "old1", "old2");
        assertThat(read).allSatisfy((record) -> assertThat(record.metrics())
            .containsExactly(record.workerId().equals("fresh") ? 9 : record.workerId().charAt(3) - '0'));
    }

    private void hideOldFiles(FileMetricStore store, boolean hide) {
        for (int i = 0; i < 3; i++) {
            Path file = store.pathOf("old" + i);
            Path hidden = file.resolveSibling(file.getFileName() + ".hidden");
            try {
                Files.move(hide ? file : hidden, hide ? hidden : file);
            }
            catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        }
    }

    private FileMetricStore keeping() {
        FileMetricStore store = new FileMetricStore(this.dir, RETENTION, RETENTION, this.clock, this.clock::nanoTime,
                false);
        this.stores.add(store);
        return store;
    }

    @Test
    void growsTheFileForALargePayload() {
        FileMetricStore store = open();
        store.publish(record("w", 1, WorkerState.RUNNING, null, new byte[10]));
        WorkerRecord large = record("w", 2, WorkerState.RUNNING, null, new byte[100_000]);
        store.publish(large);
        assertThat(open().readAll()).containsExactly(large);
    }

    @Test
    void aReaderNeverSeesATornRecord() throws Exception {
        FileMetricStore writer = open();
        FileMetricStore reader = open();
        writer.publish(record("w", 0, WorkerState.RUNNING, null, payload(0)));
        AtomicBoolean done = new AtomicBoolean();
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        List<String> problems = new ArrayList<>();
        Thread readerThread = new Thread(() -> {
            while (!done.get()) {
                for (WorkerRecord read : reader.readAll()) {
                    long n = read.heartbeatMillis() - this.clock.millis();
                    if (!read.equals(record("w", n, WorkerState.RUNNING, null, payload(n)))) {
                        problems.add("torn record " + read);
                    }
                    seen.add(n);
                }
            }
        });
        readerThread.start();
        for (long n = 1; n <= 10_000; n++) {
            writer.publish(record("w", n, WorkerState.RUNNING, null, payload(n)));
        }
        done.set(true);
        readerThread.join();
        assertThat(problems).isEmpty();
        assertThat(seen).isNotEmpty();
    }

    @Test
    void skipsForeignTruncatedAndCorruptFilesWithOneWarningEach(CapturedOutput output) throws IOException {
        FileMetricStore store = open();
        WorkerRecord good = record("good", 1, WorkerState.RUNNING, null, new byte[] { 1 });
        store.publish(good);
        store.publish(record("corrupt", 1, WorkerState.RUNNING, null, new byte[] { 1, 2, 3 }));
        store.publish(record("truncated", 1, WorkerState.RUNNING, null, new byte[] { 1, 2, 3 }));
        Path corrupt = store.pathOf("corrupt");
        try (FileChannel channel = FileChannel.open(corrupt, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] { 9, 9, 9 }), WorkerFileLayout.HEADER_LENGTH + 2);
        }
        Path truncated = store.pathOf("truncated");
        try (FileChannel channel = FileChannel.open(truncated, StandardOpenOption.WRITE)) {
            channel.truncate(30);
        }
        Path foreign = this.dir.resolve("worker-666f726569676e.metrics");
        Files.writeString(foreign, "counter_1234.db from prometheus_client", StandardCharsets.UTF_8);
        Files.writeString(this.dir.resolve("counter_1234.db"), "not ours, not named like ours");
        assertThat(store.readAll()).containsExactly(good);
        assertThat(store.readAll()).containsExactly(good);
        assertThat(store.readAll(WorkerRecord::workerId)).containsExactly("good");
        assertThat(output.getAll().lines().filter((line) -> line.contains("WARN"))).hasSize(3);
        assertThat(output).contains("Skipped " + corrupt)
            .contains("Skipped " + truncated)
            .contains("Skipped " + foreign);
    }

    @Test
    void sweepsFilesOfWorkersWhoseHeartbeatIsOlderThanTheRetention() {
        FileMetricStore old = open();
        old.publish(record("old", this.clock.millis(), WorkerState.STOPPED, StopReason.TERM, new byte[0]));
        this.clock.advance(RETENTION.plusSeconds(1));
        FileMetricStore current = open();
        WorkerRecord fresh = record("fresh", this.clock.millis(), WorkerState.RUNNING, null, new byte[0]);
        current.publish(fresh);
        assertThat(Files.exists(current.pathOf("old"))).isFalse();
        assertThat(current.readAll()).containsExactly(fresh);
    }

    @Test
    void keepsAStoppedWorkersFileAndCountersUntilTheRetentionHasPassed() {
        FileMetricStore store = open();
        WorkerRecord stopped = record("stopped", this.clock.millis(), WorkerState.STOPPED, StopReason.TERM,
                new byte[0]);
        store.publish(stopped);
        this.clock.advance(RETENTION);
        assertThat(open().readAll()).containsExactly(stopped);
        assertThat(Files.exists(store.pathOf("stopped"))).isTrue();
    }

    @Test
    void neverDeletesAFileWhenItDoesNotDeleteExpiredFiles() {
        FileMetricStore old = open();
        old.publish(record("old", this.clock.millis(), WorkerState.STOPPED, StopReason.TERM, new byte[0]));
        this.clock.advance(RETENTION.plusSeconds(1));
        FileMetricStore keeping = new FileMetricStore(this.dir, RETENTION, RETENTION, this.clock, this.clock::nanoTime,
                false);
        this.stores.add(keeping);
        assertThat(keeping.readAll()).isEmpty();
        keeping.sweep();
        assertThat(Files.exists(keeping.pathOf("old"))).isTrue();
    }

    @Test
    void removeDeletesTheWorkersFile() {
        FileMetricStore store = open();
        store.publish(record("w", 1, WorkerState.STOPPED, StopReason.TERM, new byte[0]));
        store.remove("w");
        assertThat(store.readAll()).isEmpty();
        assertThat(Files.exists(store.pathOf("w"))).isFalse();
    }

    @Test
    void writesAgainWhenItsFileWasSweptByAnother() throws IOException {
        FileMetricStore store = open();
        store.publish(record("w", 1, WorkerState.RUNNING, null, new byte[0]));
        Files.delete(store.pathOf("w"));
        WorkerRecord next = record("w", 2, WorkerState.RUNNING, null, new byte[0]);
        store.publish(next);
        assertThat(store.readAll()).containsExactly(next);
    }

    @Test
    void readsTheLastWholeRecordOfAWriterKilledMidWrite() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        FileMetricStore store = open();
        store.publish(new WorkerRecord("killed", dead.pid(), 1000, this.clock.millis(), WorkerState.RUNNING, null,
                new byte[] { 1, 1 }));
        WorkerRecord last = new WorkerRecord("killed", dead.pid(), 1000, this.clock.millis() + 1, WorkerState.RUNNING,
                null, new byte[] { 2, 2 });
        store.publish(last);
        leaveMidWrite(store.pathOf("killed"));
        assertThat(open().readAll()).containsExactly(last);
    }

    @Test
    void readsTheLastWholeRecordWhileItsWriterIsMidWrite() throws IOException {
        FileMetricStore store = open();
        store.publish(new WorkerRecord("busy", ProcessHandle.current().pid(), 1000, this.clock.millis(),
                WorkerState.RUNNING, null, new byte[] { 1 }));
        WorkerRecord last = new WorkerRecord("busy", ProcessHandle.current().pid(), 1000, this.clock.millis() + 1,
                WorkerState.RUNNING, null, new byte[] { 2 });
        store.publish(last);
        leaveMidWrite(store.pathOf("busy"));
        assertThat(open().readAll()).containsExactly(last);
    }

    /**
     * What {@code kill -9} in the middle of the third write leaves: it goes to the slot
     * of the first record (slot 0), whose body is half overwritten and whose fields are
     * torn.
     */
    @Test
    void aSecondLifeFindsTheWorkerIdClaimedAndWritesNothing() {
        FileMetricStore first = open();
        FileMetricStore second = open();
        WorkerRecord mine = record("shared", 1, WorkerState.RUNNING, null, new byte[] { 1 });
        first.publish(mine, LIFE);
        WorkerLife other = new WorkerLife(2, "host-b", 2000);
        assertThatExceptionOfType(WorkerIdConflictException.class)
            .isThrownBy(() -> second.publish(record("shared", 2, WorkerState.RUNNING, null, new byte[] { 2 }), other))
            .withMessageContaining("'shared'")
            .withMessageContaining(LIFE.toString())
            .satisfies((ex) -> assertThat(ex.getHolder()).isEqualTo(LIFE));
        assertThat(second.readAll()).containsExactly(mine);
        second.publish(record("shared~2", 2, WorkerState.RUNNING, null, new byte[] { 2 }), other);
        assertThat(second.readAll()).hasSize(2);
        first.publish(record("shared", 3, WorkerState.RUNNING, null, new byte[] { 3 }), LIFE);
    }

    @Test
    void aWorkerIdIsFreeOnceItsHolderClosedTheStore() {
        FileMetricStore first = open();
        first.publish(record("w", 1, WorkerState.STOPPED, StopReason.TERM, new byte[] { 1 }), LIFE);
        first.close();
        WorkerRecord next = record("w", 2, WorkerState.RUNNING, null, new byte[] { 2 });
        FileMetricStore second = open();
        second.publish(next, new WorkerLife(2, "host-a", 2000));
        assertThat(second.readAll()).containsExactly(next);
    }

    @Test
    void aWorkerIdHeldByAnotherLiveJvmIsAConflictAndFreeOnceThatJvmIsKilled() throws Exception {
        Path log = this.dir.resolve("holder.log");
        Path shared = this.dir.resolve("shared");
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                WorkerIdHolder.class.getName(), shared.toString(), "w1")
            .redirectErrorStream(true)
            .redirectOutput(Redirect.to(log.toFile()))
            .start();
        try {
            await("the holder JVM to claim the id").atMost(Duration.ofSeconds(120))
                .until(() -> Files.exists(log) && Files.readString(log).contains("ready"));
            FileMetricStore store = new FileMetricStore(shared, RETENTION, this.clock);
            this.stores.add(store);
            WorkerRecord mine = record("w1", 5, WorkerState.RUNNING, null, new byte[] { 5 });
            assertThatExceptionOfType(WorkerIdConflictException.class).isThrownBy(() -> store.publish(mine, LIFE))
                .satisfies((ex) -> assertThat(ex.getHolder()).isNotNull()
                    .extracting(WorkerLife::pid, WorkerLife::host)
                    .containsExactly(holder.pid(), "holder-host"));
            assertThat(store.readAll()).extracting(WorkerRecord::pid).containsExactly(holder.pid());
            // kill -9: the kernel releases the lock; the heartbeat is still fresh.
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            store.publish(mine, LIFE);
            assertThat(store.readAll()).containsExactly(mine);
        }
        finally {
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aReadDeletesNothingAndTheSweepOnTheFlushPathDeletesOnlyTheFilesOfEndedWorkersPastTheRetention() {
        FileMetricStore live = open();
        FileMetricStore ended = open();
        live.publish(record("live", this.clock.millis(), WorkerState.RUNNING, null, new byte[0]), LIFE);
        ended.publish(record("ended", this.clock.millis(), WorkerState.STOPPED, StopReason.TERM, new byte[0]),
                new WorkerLife(2, "host-a", 2000));
        ended.close();
        this.clock.advance(RETENTION.plusSeconds(1));
        FileMetricStore reader = new FileMetricStore(this.dir, RETENTION, RETENTION, this.clock, this.clock::nanoTime,
                true);
        this.stores.add(reader);
        // Opened after the retention passed: the open swept the ended worker's files.
        assertThat(Files.exists(reader.pathOf("ended"))).isFalse();
        assertThat(Files.exists(reader.lockOf("ended"))).isFalse();
        // The live worker is alive by its lock, whatever the age of its data says.
        assertThat(Files.exists(reader.pathOf("live"))).isTrue();
        assertThat(Files.exists(reader.lockOf("live"))).isTrue();
        live.publish(record("ended-later", this.clock.millis(), WorkerState.STOPPED, StopReason.TERM, new byte[0]),
                new WorkerLife(3, "host-a", 3000));
        this.clock.advance(RETENTION.plusSeconds(1));
        assertThat(reader.readAll()).isEmpty();
        assertThat(Files.exists(reader.pathOf("ended-later"))).as("a read deletes nothing").isTrue();
    }

    private static void leaveMidWrite(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] { 7, 7, 7, 7, 7, 7 }), WorkerFileLayout.HEADER_LENGTH + 4);
            channel.write(ByteBuffer.allocate(8).putLong(0, 3), WorkerFileLayout.slotOffset(0));
        }
    }

    private FileMetricStore open() {
        FileMetricStore store = new FileMetricStore(this.dir, RETENTION, RETENTION, this.clock, this.clock::nanoTime,
                true);
        this.stores.add(store);
        return store;
    }

    private WorkerRecord record(String id, long heartbeat, WorkerState state, @Nullable StopReason reason,
            byte[] metrics) {
        long at = (heartbeat < 1_000_000) ? this.clock.millis() + heartbeat : heartbeat;
        return new WorkerRecord(id, 42, 1000, at, state, reason, metrics);
    }

    private static byte[] payload(long n) {
        byte[] bytes = new byte[(int) (n % 997) * 7];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (n + i);
        }
        return bytes;
    }

}
