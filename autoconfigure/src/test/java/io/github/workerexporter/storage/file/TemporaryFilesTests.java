package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.MutableClock;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.redis.RedisStoreFaultsSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The temporary files of {@link WorkerFileWriter}s on a real file system
 * ({@link TemporaryFiles}): those left by a worker that died before its first flush are
 * swept once older than the heartbeat timeout, and a live writer's, in this JVM or in
 * another one (a real writer JVM, stopped with {@code SIGSTOP} past the timeout), never.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class TemporaryFilesTests {

    private static final Duration RETENTION = Duration.ofMinutes(5);

    private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(15);

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
    void sweepsTheTemporaryFilesOfWorkersThatDiedBeforeTheirFirstFlushOnceOlderThanTheHeartbeatTimeout(
            CapturedOutput output) throws IOException {
        FileMetricStore keeping = open(false);
        Path ancient = stray(keeping.pathOf("ancient") + ".00000000000000a1.tmp", Duration.ofHours(1));
        Path recent = stray(keeping.pathOf("recent") + ".00000000000000b2.tmp", Duration.ZERO);
        // as the exporter named them before it gave each its own name
        Path unnamed = stray(keeping.pathOf("unnamed") + ".tmp", Duration.ZERO);
        Path foreign = stray(this.dir.resolve("other.tmp").toString(), Duration.ofHours(1));
        keeping.sweep();
        assertThat(List.of(ancient, recent, unnamed, foreign)).allMatch(Files::exists);
        FileMetricStore store = open(true);
        WorkerRecord live = new WorkerRecord("live", 1, 1000, this.clock.millis(), WorkerState.RUNNING, null,
                new byte[10]);
        store.publish(live);
        // First seen an hour old: swept when the store opens.
        assertThat(ancient).doesNotExist();
        assertThat(recent).exists();
        this.clock.advance(HEARTBEAT_TIMEOUT);
        store.sweep();
        assertThat(recent).exists();
        assertThat(unnamed).exists();
        this.clock.advance(Duration.ofSeconds(1));
        assertThat(store.readAll()).containsExactly(live);
        assertThat(recent).as("a read deletes nothing").exists();
        // The sweep, run on the flush path at most once per heartbeat timeout.
        store.sweep();
        assertThat(recent).doesNotExist();
        assertThat(unnamed).doesNotExist();
        assertThat(foreign).exists();
        store.sweep();
        List<String> deleted = output.getAll().lines().filter((line) -> line.contains("Deleted ")).toList();
        assertThat(deleted).hasSize(3).allMatch((line) -> line.contains("INFO"));
        for (Path file : List.of(ancient, recent, unnamed)) {
            assertThat(deleted).filteredOn((line) -> line.contains(file.toString())).hasSize(1);
        }
    }

    @Test
    void neverSweepsTheTemporaryFileOfALiveWriterOfThisJvm() throws InterruptedException {
        FileMetricStore writer = new FileMetricStore(this.dir, RETENTION, Clock.systemUTC(), false);
        this.stores.add(writer);
        // Every temporary file older than nothing: only its writer being live keeps it.
        FileMetricStore sweeper = new FileMetricStore(this.dir, RETENTION, Duration.ZERO, Clock.systemUTC(),
                System::nanoTime, true);
        this.stores.add(sweeper);
        AtomicBoolean done = new AtomicBoolean();
        Thread sweeping = new Thread(() -> {
            while (!done.get()) {
                sweeper.sweep();
            }
        });
        sweeping.start();
        List<String> failures = new ArrayList<>();
        try {
            for (int created = 0; created < 1000; created++) {
                try {
                    writer.publish(new WorkerRecord("w", 1, 1000, System.currentTimeMillis(), WorkerState.RUNNING, null,
                            new byte[8192]));
                    writer.remove("w");
                }
                catch (StoreException ex) {
                    failures.add(ex.getMessage());
                }
            }
        }
        finally {
            done.set(true);
            sweeping.join();
        }
        assertThat(failures).isEmpty();
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void neverSweepsTheTemporaryFileOfAWriterInAnotherJvmStoppedPastTheTimeoutAndSweepsItOnceTheWriterIsKilled()
            throws Exception {
        Duration timeout = Duration.ofMillis(200);
        FileMetricStore sweeper = new FileMetricStore(this.dir, RETENTION, timeout, Clock.systemUTC(), System::nanoTime,
                true);
        this.stores.add(sweeper);
        Path log = Files.createTempFile("temporary-files-writer", ".log");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                TemporaryFilesWriter.class.getName(), this.dir.toString())
            .redirectErrorStream(true)
            .redirectOutput(Redirect.to(log.toFile()))
            .start();
        try {
            await("the writer JVM to start").atMost(DEADLINE).until(() -> Files.readString(log).contains("ready"));
            int caught = 0;
            for (int stop = 0; caught < 3; stop++) {
                assertThat(stop).as("stops that caught a temporary file").isLessThan(500);
                try (RedisStoreFaultsSupport.Frozen frozen = RedisStoreFaultsSupport.freeze(child.pid())) {
                    // Being written, past its lock (an empty one may be swept before it
                    // is locked: its writer then starts over).
                    List<Path> written = temporaryFiles().stream().filter(TemporaryFilesTests::nonEmpty).toList();
                    if (!written.isEmpty()) {
                        caught++;
                        // Older than the timeout on this JVM's clock, swept again and
                        // again.
                        sweepFor(sweeper, timeout.multipliedBy(3));
                        assertThat(written).allMatch(Files::exists);
                        assertThat(frozen.stillFrozen()).isTrue();
                    }
                }
                Thread.sleep(ThreadLocalRandom.current().nextLong(1, 20));
            }
            // kill -9 while the writer holds a temporary file.
            List<Path> orphans = List.of();
            for (int stop = 0; orphans.isEmpty(); stop++) {
                assertThat(stop).as("stops before one caught a temporary file").isLessThan(500);
                RedisStoreFaultsSupport.Frozen frozen = RedisStoreFaultsSupport.freeze(child.pid());
                orphans = temporaryFiles();
                if (orphans.isEmpty()) {
                    frozen.close();
                    Thread.sleep(ThreadLocalRandom.current().nextLong(1, 20));
                }
            }
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            List<Path> killed = orphans;
            // The kernel released the dead writer's lock: its file goes after the
            // timeout.
            await("the dead writer's temporary file to be swept").atMost(DEADLINE).until(() -> {
                sweeper.sweep();
                return killed.stream().noneMatch(Files::exists);
            });
        }
        finally {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        // No write of the writer failed.
        assertThat(Files.readString(log)).doesNotContain("Cannot write");
    }

    private static boolean nonEmpty(Path file) {
        try {
            return Files.size(file) > 0;
        }
        catch (IOException ex) {
            return false;
        }
    }

    private Path stray(String path, Duration age) throws IOException {
        Path file = Files.write(Path.of(path), new byte[] { 0x57, 0x45 });
        Files.setLastModifiedTime(file, FileTime.from(this.clock.instant().minus(age)));
        return file;
    }

    private List<Path> temporaryFiles() {
        try (Stream<Path> files = Files.list(this.dir)) {
            return files.filter((file) -> file.toString().endsWith(".tmp")).toList();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void sweepFor(FileMetricStore sweeper, Duration duration) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            sweeper.sweep();
            Thread.sleep(10);
        }
        sweeper.sweep();
    }

    private FileMetricStore open(boolean deleteExpired) {
        FileMetricStore store = new FileMetricStore(this.dir, RETENTION, HEARTBEAT_TIMEOUT, this.clock,
                this.clock::nanoTime, deleteExpired);
        this.stores.add(store);
        return store;
    }

}
