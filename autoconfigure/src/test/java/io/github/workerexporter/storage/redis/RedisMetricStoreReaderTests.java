package io.github.workerexporter.storage.redis;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.WorkerRecord;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link RedisMetricStore#readAll(java.util.function.Function)} against a real
 * Redis server: each record handed to the reader while it is valid, copied by no one.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisMetricStoreReaderTests {

    private static final Duration TTL = Duration.ofSeconds(300);

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.shared();

    private final RedisServerSupport server = redis.server();

    private final String prefix = "test:" + UUID.randomUUID();

    private final RedisMetricStore store = RedisMetricStore.connect(RedisMetricStoreTests.endpoint(this.server),
            this.prefix, TTL);

    @AfterEach
    void closeStore() {
        this.store.close();
    }

    @Test
    void aScrapeWhoseReaderKeepsNoBytesAllocatesNoArrayPerRecordOnAnyThread() {
        com.sun.management.ThreadMXBean threads = (ManagementFactory
            .getThreadMXBean() instanceof com.sun.management.ThreadMXBean sun) ? sun : null;
        assumeTrue(threads != null && threads.isThreadAllocatedMemorySupported()
                && threads.isThreadAllocatedMemoryEnabled(), "the JVM counts the bytes each thread allocates");
        int size = 64 * 1024;
        List<WorkerRecord> fleet = publish(RedisMetricStore.MGET_BATCH, size);
        long fleetBytes = (long) fleet.size() * size;
        assertThat(this.store.readAll(WorkerRecord::metricsLength)).hasSize(fleet.size());
        // This thread and Lettuce's event loops, which decode the replies.
        long[] ids = Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter((thread) -> thread == Thread.currentThread() || thread.getName().startsWith("lettuce-"))
            .mapToLong(Thread::getId)
            .toArray();
        assertThat(ids).hasSizeGreaterThan(1);
        long[] before = threads.getThreadAllocatedBytes(ids);
        for (int scrape = 0; scrape < 3; scrape++) {
            assertThat(this.store.readAll(WorkerRecord::metricsLength)).hasSize(fleet.size())
                .allSatisfy((length) -> assertThat(length).isGreaterThanOrEqualTo(size));
        }
        long[] after = threads.getThreadAllocatedBytes(ids);
        long allocated = 0;
        for (int i = 0; i < ids.length; i++) {
            allocated += (before[i] >= 0 && after[i] >= 0) ? after[i] - before[i] : 0;
        }
        // A copy of each value per scrape would be 3 times the fleet's bytes at least.
        assertThat(allocated).as("bytes allocated by 3 scrapes of %s bytes of records", fleetBytes)
            .isLessThan(fleetBytes / 2);
    }

    @Test
    void readsAFleetLargerThanOneBatchExactly() {
        List<WorkerRecord> fleet = publish(300, 0);
        for (int scrape = 0; scrape < 2; scrape++) {
            assertThat(this.store.readAll(RedisMetricStoreReaderTests::copy))
                .containsExactlyInAnyOrderElementsOf(fleet);
        }
        assertThat(this.store.readAll()).containsExactlyInAnyOrderElementsOf(fleet);
    }

    @Test
    void aScrapeThatRunsWhileAnotherHandsOutItsRecordsReadsIntoBuffersOfItsOwn() {
        List<WorkerRecord> fleet = publish(300, 1024);
        assertThat(this.store.readAll(RedisMetricStoreReaderTests::copy)).hasSize(fleet.size());
        List<List<WorkerRecord>> during = new ArrayList<>();
        List<WorkerRecord> read = this.store.readAll((record) -> {
            if (during.isEmpty()) {
                // The whole of another scrape, on another thread, between two records.
                during.add(CompletableFuture.supplyAsync(() -> this.store.readAll(RedisMetricStoreReaderTests::copy))
                    .join());
            }
            return copy(record);
        });
        assertThat(read).containsExactlyInAnyOrderElementsOf(fleet);
        assertThat(during).singleElement()
            .satisfies((other) -> assertThat(other).containsExactlyInAnyOrderElementsOf(fleet));
    }

    @Test
    void twoScrapesAtOnceReadTheSameRecords() throws Exception {
        List<WorkerRecord> fleet = publish(300, 4096);
        assertThat(this.store.readAll(RedisMetricStoreReaderTests::copy)).hasSize(fleet.size());
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService scrapers = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<List<WorkerRecord>>>> scrapes = new ArrayList<>();
            for (int thread = 0; thread < 2; thread++) {
                scrapes.add(scrapers.submit(() -> {
                    start.await();
                    List<List<WorkerRecord>> read = new ArrayList<>();
                    for (int scrape = 0; scrape < 10; scrape++) {
                        read.add(this.store.readAll(RedisMetricStoreReaderTests::copy));
                    }
                    return read;
                }));
            }
            for (Future<List<List<WorkerRecord>>> scrape : scrapes) {
                assertThat(scrape.get()).hasSize(10)
                    .allSatisfy((read) -> assertThat(read).containsExactlyInAnyOrderElementsOf(fleet));
            }
        }
        finally {
            scrapers.shutdownNow();
        }
    }

    @Test
    void aReaderThatReadsTheStoreAgainGetsRecordsOfItsOwn() {
        List<WorkerRecord> fleet = publish(200, 0);
        assertThat(this.store.readAll(RedisMetricStoreReaderTests::copy)).hasSize(fleet.size());
        List<List<WorkerRecord>> nested = this.store.readAll((record) -> List.of(copy(record),
                this.store.readAll(RedisMetricStoreReaderTests::copy).get(0), copy(record)));
        assertThat(nested).hasSize(fleet.size()).allSatisfy((read) -> assertThat(read.get(2)).isEqualTo(read.get(0)));
        assertThat(nested.stream().map((read) -> read.get(0)).toList()).containsExactlyInAnyOrderElementsOf(fleet);
    }

    @Test
    void skipsACorruptRecordWithOneWarningAndReadsTheOthersOfItsBatch(CapturedOutput output) {
        List<WorkerRecord> fleet = publish(10, 0);
        // Bytes under 0x80 only, so that the string command writes them as they are.
        byte[] truncated = RedisRecords
            .encode(new WorkerRecord("truncated", 1, 2, 3, WorkerState.RUNNING, null, new byte[] { 1, 2, 3 }));
        this.server.run((redis) -> redis.set(key("worker:truncated"),
                new String(truncated, 0, truncated.length - 1, StandardCharsets.US_ASCII)));
        this.server.run((redis) -> redis.set(key("worker:intruder"), "not a worker record"));
        this.server.run((redis) -> redis.sadd(key("workers"), "truncated", "intruder"));
        for (int scrape = 0; scrape < 2; scrape++) {
            assertThat(this.store.readAll(RedisMetricStoreReaderTests::copy))
                .containsExactlyInAnyOrderElementsOf(fleet);
        }
        assertThat(output).containsOnlyOnce("Skipping the record of worker 'intruder'")
            .containsOnlyOnce("Skipping the record of worker 'truncated'");
    }

    @Test
    void removesFromTheIndexTheWorkersWhoseRecordExpired() {
        List<WorkerRecord> fleet = publish(130, 0);
        this.server.run((redis) -> redis.sadd(key("workers"), "gone-1", "gone-2"));
        assertThat(this.store.readAll(RedisMetricStoreReaderTests::copy)).containsExactlyInAnyOrderElementsOf(fleet);
        Set<String> index = this.server.run((redis) -> redis.smembers(key("workers")));
        assertThat(index).hasSize(fleet.size()).doesNotContain("gone-1", "gone-2");
    }

    @Test
    void aReadersExceptionEndsTheReadAndTheNextReadIsWhole() {
        List<WorkerRecord> fleet = publish(200, 0);
        assertThatIllegalStateException().isThrownBy(() -> this.store.readAll((record) -> {
            throw new IllegalStateException("reader");
        }));
        assertThat(this.store.readAll(RedisMetricStoreReaderTests::copy)).containsExactlyInAnyOrderElementsOf(fleet);
        assertThat(CompletableFuture.supplyAsync(() -> this.store.readAll(RedisMetricStoreReaderTests::copy)).join())
            .containsExactlyInAnyOrderElementsOf(fleet);
    }

    /**
     * Publish a fleet whose records differ in every field and in the size of their
     * metrics, at least {@code size} bytes each.
     */
    private List<WorkerRecord> publish(int workers, int size) {
        List<WorkerRecord> fleet = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            byte[] metrics = new byte[size + (i * 7) % 101];
            for (int b = 0; b < metrics.length; b++) {
                metrics[b] = (byte) (i + b);
            }
            WorkerRecord record = new WorkerRecord("worker-" + i, 1000 + i, 2000 + i, 3000 + i,
                    (i % 3 == 0) ? WorkerState.STOPPED : WorkerState.RUNNING, (i % 3 == 0) ? StopReason.TERM : null,
                    metrics);
            this.store.publish(record);
            fleet.add(record);
        }
        return fleet;
    }

    /**
     * What a reader may keep of a record: one with metrics of its own.
     */
    static WorkerRecord copy(WorkerRecord record) {
        return new WorkerRecord(record.workerId(), record.pid(), record.startTimeMillis(), record.heartbeatMillis(),
                record.state(), record.stopReason(), record.metrics().clone());
    }

    private String key(String suffix) {
        return "{" + this.prefix + "}:" + suffix;
    }

}
