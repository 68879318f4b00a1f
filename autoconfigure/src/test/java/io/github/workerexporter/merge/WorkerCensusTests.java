package io.github.workerexporter.merge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.Exposition;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.MutableClock;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerCensus}.
 *
 * @author Worker Exporter
 */
class WorkerCensusTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    private final List<MetricStore> stores = new ArrayList<>();

    @AfterEach
    void closeStores() {
        this.stores.forEach(MetricStore::close);
    }

    @Test
    void theRecordsOfACensusOfTheFileStoreStayExactWhileTheStoreIsReadAgain() {
        FileMetricStore store = fileStore();
        publish(store, 10);
        WorkerCensus census = census(store);
        Census first = census.take();
        publish(store, 20);
        Census second = census.take();
        assertExact(first, 10);
        assertExact(second, 10 + 10);
        assertExact(first, 10);
    }

    @Test
    void twoThreadsScrapingTheFileStoreAtOnceEachSeeEveryWorkerExactly() throws Exception {
        FileMetricStore store = fileStore();
        publish(store, 30);
        List<WorkerCensus> censuses = List.of(census(store), census(store), census(fileStore()));
        CyclicBarrier start = new CyclicBarrier(censuses.size());
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (WorkerCensus census : censuses) {
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 40; i++) {
                        assertExact(census.take(), 30);
                    }
                }
                catch (Throwable ex) {
                    failures.add(ex);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void aFileRecordWhoseMetricsCannotBeDecodedIsUndecodableAndTheOthersAreServed() {
        FileMetricStore store = fileStore();
        publish(store, 40);
        store.publish(new WorkerRecord("garbled", 7, 1000, this.clock.millis(), WorkerState.RUNNING, null,
                new byte[] { 1, 2, 3, 4, 5, 6 }));
        Census census = census(store).take();
        assertExact(census, 40);
        assertThat(census.undecodable()).singleElement().satisfies((worker) -> {
            assertThat(worker.workerId()).isEqualTo("garbled");
            assertThat(worker.error()).contains("bad magic");
        });
    }

    @Test
    void aStoreWithoutItsOwnReaderIsReadThroughTheDefault() {
        List<WorkerRecord> records = new ArrayList<>();
        MetricStore store = new MetricStore() {

            @Override
            public String name() {
                return "third-party";
            }

            @Override
            public void publish(WorkerRecord record) {
                records.removeIf((known) -> known.workerId().equals(record.workerId()));
                records.add(record);
            }

            @Override
            public List<WorkerRecord> readAll() {
                return List.copyOf(records);
            }

            @Override
            public void close() {
            }

        };
        publish(store, 50);
        WorkerCensus census = census(store);
        assertExact(census.take(), 50);
        publish(store, 60);
        assertExact(census.take(), 60);
    }

    private FileMetricStore fileStore() {
        FileMetricStore store = new FileMetricStore(this.dir, Duration.ofMinutes(5), TIMEOUT, this.clock,
                this.clock::nanoTime, true);
        this.stores.add(store);
        return store;
    }

    private WorkerCensus census(MetricStore store) {
        return new WorkerCensus(store, this.codec, "gunicorn", TIMEOUT, this.clock, this.clock::nanoTime);
    }

    /**
     * Publish four workers of different sizes, their counters starting at {@code value}.
     */
    private void publish(MetricStore store, double value) {
        for (int i = 0; i < 4; i++) {
            store.publish(new WorkerRecord("w" + i, 100 + i, 1000, this.clock.millis(), WorkerState.RUNNING, null,
                    this.codec.encode(snapshots("w" + i, 1 + 3 * i, value))));
        }
    }

    private void assertExact(Census census, double value) {
        Map<String, String> expected = new TreeMap<>();
        Map<String, String> decoded = new TreeMap<>();
        Map<String, String> kept = new TreeMap<>();
        for (int i = 0; i < 4; i++) {
            expected.put("w" + i, Exposition.text(snapshots("w" + i, 1 + 3 * i, value)));
        }
        for (KnownWorker worker : census.workers()) {
            decoded.put(worker.workerId(), Exposition.text(worker.metrics()));
            kept.put(worker.workerId(), Exposition.text(this.codec.decode(worker.record().metrics())));
            assertThat(worker.liveness()).isEqualTo(Liveness.ALIVE);
        }
        assertThat(decoded).isEqualTo(expected);
        assertThat(kept).isEqualTo(expected);
    }

    private static MetricSnapshots snapshots(String worker, int series, double value) {
        CounterSnapshot.Builder counter = CounterSnapshot.builder().name("requests").help("Requests served");
        for (int i = 0; i < series; i++) {
            counter.dataPoint(CounterDataPointSnapshot.builder()
                .labels(Labels.of("route", "/route/" + i, "worker", worker))
                .value(value + i)
                .build());
        }
        return MetricSnapshots.of(counter.build());
    }

    @Test
    void readersWhoAskDuringAReadShareTheNextReadNotTheOneUnderWay() throws Exception {
        CountingStore store = new CountingStore();
        WorkerCensus census = new WorkerCensus(store, new BinarySnapshotCodec(), "gunicorn", Duration.ofSeconds(15),
                new MutableClock());
        Thread first = new Thread(census::take);
        first.start();
        store.reading.await();
        Thread second = new Thread(census::take);
        Thread third = new Thread(census::take);
        second.start();
        third.start();
        awaitBlocked(second);
        awaitBlocked(third);
        store.release.countDown();
        first.join();
        second.join();
        third.join();
        assertThat(store.reads.get()).isEqualTo(2);
        census.take();
        assertThat(store.reads.get()).isEqualTo(3);
    }

    private static void awaitBlocked(Thread thread) throws InterruptedException {
        while (thread.getState() != Thread.State.BLOCKED) {
            Thread.sleep(1);
        }
    }

    static final class CountingStore implements MetricStore {

        final AtomicInteger reads = new AtomicInteger();

        final CountDownLatch reading = new CountDownLatch(1);

        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public void publish(WorkerRecord record) {
        }

        @Override
        public List<WorkerRecord> readAll() {
            if (this.reads.incrementAndGet() == 1) {
                this.reading.countDown();
                try {
                    this.release.await();
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
            return List.of();
        }

        @Override
        public void close() {
        }

    }

}
