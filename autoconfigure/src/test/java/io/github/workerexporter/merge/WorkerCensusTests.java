package io.github.workerexporter.merge;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.MutableClock;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.BinarySnapshotCodec;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerCensus}.
 *
 * @author Worker Exporter
 */
class WorkerCensusTests {

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
