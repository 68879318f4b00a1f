package io.github.workerexporter.storage.redis;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.prometheus.metrics.core.metrics.Counter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.merge.RestartCarry;
import io.github.workerexporter.metrics.MasterRestarts;
import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.merge.MergedViewRegistry;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.publish.WorkerPublisher;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Redis faults under workers of this JVM: each test owns a real {@code redis-server},
 * real {@link RedisMetricStore}s, {@link WorkerPublisher}s flushing on their
 * {@code exporter-flush} thread and a {@link MergingCollector} reading the merged view.
 * Each worker counts its "requests" in a counter of its own registry; the test knows how
 * many it counted and compares that with the merged view once Redis is back. A frozen
 * Redis is a {@code redis-server} stopped with {@code SIGSTOP} (as a server stuck in a
 * long command or a swapping host): it accepts connections but answers nothing until
 * {@code SIGCONT}, which only the test sends, so whatever happens before it happens while
 * Redis is frozen.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisMetricStoreFaultsTests {

    private static final Duration FLUSH = Duration.ofMillis(100);

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private static final String PREFIX = "faults";

    private static final String FLUSH_FAILED = "Flush to redis storage failed";

    /**
     * The restarts after {@link #earlierLives}, and a {@code SIGHUP} of the third life.
     */
    private static final Map<String, Double> EARLIER_LIVES_AND_A_USR1 = Map.of("term", 1.0, "crash", 1.0, "usr1", 1.0);

    @Test
    void aFlushAndAScrapeGiveUpAfterTheTimeoutWhileRedisIsFrozenAndNothingIsLostOnceItResumes(CapturedOutput output) {
        Duration timeout = Duration.ofMillis(500);
        try (RedisServerSupport server = RedisServerSupport.start();
                InProcessWorker worker = new InProcessWorker(server, "w1", timeout);
                Observer observer = new Observer(server, timeout)) {
            worker.serve(100);
            observer.awaitRequests(Map.of("w1", 100L));
            int mark = output.getAll().length();
            try (RedisStoreFaultsSupport.Frozen frozen = RedisStoreFaultsSupport.freeze(server)) {
                worker.serve(50);
                assertThatExceptionOfType(StoreException.class).isThrownBy(observer.store::readAll)
                    .withMessageContaining("Redis at " + server.host() + ":" + server.port())
                    .withMessageContaining("timed out");
                // the scheduled flushes fail after the timeout on their own thread
                awaitLog(output, mark, (log) -> log.contains(FLUSH_FAILED));
                assertThat(warnings(output, mark, FLUSH_FAILED)).singleElement().asString().contains("exporter-flush");
                // a flush fails after the timeout, logged (at DEBUG now), never thrown
                worker.flushNow();
                assertThat(warnings(output, mark, FLUSH_FAILED)).hasSize(1);
                // the scrape answers with this process's own metrics
                RequestExposition scrape = observer.scrape();
                assertThat(scrape.value("observer_local_total")).isEqualTo(1);
                assertThat(scrape.series("gunicorn_master_workers")).isEmpty();
                worker.serve(25);
                assertThat(frozen.stillFrozen()).isTrue();
            }
            observer.awaitRequests(Map.of("w1", 175L));
            awaitLog(output, mark, (log) -> log.contains("Flush to redis storage recovered"));
        }
    }

    @Test
    void aSlowRedisDelaysFlushesWithoutAFailureAndLosesNothing(CapturedOutput output) throws Exception {
        try (RedisServerSupport server = RedisServerSupport.start();
                InProcessWorker w1 = new InProcessWorker(server, "w1", Duration.ofSeconds(10));
                InProcessWorker w2 = new InProcessWorker(server, "w2", Duration.ofSeconds(10));
                Observer observer = new Observer(server, Duration.ofSeconds(10));
                SlowRedis slow = SlowRedis.start(server, Duration.ofMillis(200), Duration.ofMillis(50))) {
            for (int i = 0; i < 40; i++) {
                w1.serve(10);
                w2.serve(5);
                Thread.sleep(25);
            }
            slow.awaitPauses(5);
            RequestExposition duringSlowness = observer.awaitRequests(Map.of("w1", 400L, "w2", 200L));
            assertThat(duringSlowness.value("gunicorn_master_workers{state=\"alive\"}")).isEqualTo(2);
            assertThat(slow.stop()).isGreaterThanOrEqualTo(5);
        }
        assertThat(output).doesNotContain(FLUSH_FAILED).doesNotContain("Read of redis storage failed");
    }

    @Test
    void aRedisRestartedEmptyGetsEveryRunningWorkerBackWithExactTotals() {
        try (RedisServerSupport server = RedisServerSupport.start();
                InProcessWorker w1 = new InProcessWorker(server, "w1", Duration.ofSeconds(2));
                InProcessWorker w2 = new InProcessWorker(server, "w2", Duration.ofSeconds(2));
                InProcessWorker w3 = new InProcessWorker(server, "w3", Duration.ofSeconds(2));
                Observer observer = new Observer(server, Duration.ofSeconds(2))) {
            w1.serve(10);
            w2.serve(20);
            w3.serve(30);
            try (InProcessWorker gone = new InProcessWorker(server, "w4", Duration.ofSeconds(2))) {
                gone.serve(40);
                gone.stopCleanly();
            }
            RequestExposition before = observer.awaitRequests(Map.of("w1", 10L, "w2", 20L, "w3", 30L, "w4", 40L));
            assertThat(before.value("gunicorn_master_workers{state=\"stopped\"}")).isEqualTo(1);
            server.stop();
            w1.serve(1);
            w2.serve(2);
            w3.serve(3);
            server.restart();
            RequestExposition after = observer.awaitRequests(Map.of("w1", 11L, "w2", 22L, "w3", 33L));
            assertThat(after.value("gunicorn_master_workers{state=\"alive\"}")).isEqualTo(3);
            // A worker that had stopped before the restart no longer flushes: a Redis
            // without persistence loses it.
            assertThat(after.series("gunicorn_worker_requests_total"))
                .doesNotContain("gunicorn_worker_requests_total{worker_id=\"w4\"}");
            assertThat(after.value("gunicorn_master_workers{state=\"stopped\"}")).isZero();
        }
    }

    @Test
    void aFullRedisIsLoggedOnceKeepsServingTheLastFlushAndLosesNothingOnceItHasRoom(CapturedOutput output) {
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        try (RedisServerSupport server = RedisServerSupport.start("--maxmemory-policy", "noeviction");
                InProcessWorker worker = new InProcessWorker(server, "w1", Duration.ofSeconds(2));
                Observer observer = new Observer(server, Duration.ofSeconds(2))) {
            worker.serve(100);
            observer.awaitRequests(Map.of("w1", 100L));
            int mark = output.getAll().length();
            logging.setLogLevel(WorkerPublisher.class.getName(), LogLevel.DEBUG);
            server.run((redis) -> redis.configSet("maxmemory", "1"));
            worker.serve(10);
            RedisStoreFaultsSupport.awaitOomErrors(server, 5);
            assertThat(warnings(output, mark, FLUSH_FAILED)).singleElement().asString().contains("OOM");
            assertThat(output.getAll()
                .substring(mark)
                .lines()
                .filter((line) -> line.contains("DEBUG") && line.contains(FLUSH_FAILED))).isNotEmpty();
            // reads still work: the merged view serves the last flush, not a fallback
            RequestExposition full = observer.scrape();
            assertThat(full.value("gunicorn_worker_requests_total{worker_id=\"w1\"}")).isEqualTo(100);
            assertThat(full.value("gunicorn_master_workers{state=\"alive\"}")).isEqualTo(1);
            worker.serve(5);
            server.run((redis) -> redis.configSet("maxmemory", "0"));
            observer.awaitRequests(Map.of("w1", 115L));
            awaitLog(output, mark, (log) -> log.contains("Flush to redis storage recovered"));
            assertThat(warnings(output, mark, FLUSH_FAILED)).hasSize(1);
        }
        finally {
            logging.setLogLevel(WorkerPublisher.class.getName(), null);
        }
    }

    @Test
    void aFlushallBehindTheWorkersBacksIsRepublishedWithExactTotals() {
        try (RedisServerSupport server = RedisServerSupport.start();
                InProcessWorker w1 = new InProcessWorker(server, "w1", Duration.ofSeconds(2));
                InProcessWorker w2 = new InProcessWorker(server, "w2", Duration.ofSeconds(2));
                Observer observer = new Observer(server, Duration.ofSeconds(2))) {
            w1.serve(7);
            w2.serve(9);
            observer.awaitRequests(Map.of("w1", 7L, "w2", 9L));
            server.run((redis) -> redis.flushall());
            w1.serve(3);
            RequestExposition after = observer.awaitRequests(Map.of("w1", 10L, "w2", 9L));
            assertThat(after.value("gunicorn_master_workers{state=\"alive\"}")).isEqualTo(2);
        }
    }

    @Test
    void aWorkerStartedWhileRedisIsDownCarriesTheRestartsOfItsEarlierLivesOnceRedisIsBack(CapturedOutput output,
            @TempDir Path data) {
        // Redis keeps the earlier lives in a snapshot of its own while it is down.
        try (RedisServerSupport server = RedisServerSupport.start("--dir", data.toString(), "--dbfilename",
                "lives.rdb"); Observer observer = new Observer(server, Duration.ofSeconds(2))) {
            Instant now = Instant.now();
            earlierLives(server, observer, now);
            server.run(RedisCommands::save);
            server.stop();
            int mark = output.getAll().length();
            try (InProcessWorker third = new InProcessWorker(server, "w1", Duration.ofSeconds(2), now)) {
                third.signal("usr1");
                third.serve(7);
                awaitLog(output, mark, (log) -> log.contains(FLUSH_FAILED));
                server.restart();
                RequestExposition after = observer.awaitRequests(Map.of("w1", 7L));
                assertThat(restarts(after)).containsExactlyInAnyOrderEntriesOf(EARLIER_LIVES_AND_A_USR1);
                assertThat(warnings(output, mark, FLUSH_FAILED)).singleElement()
                    .asString()
                    .contains("Cannot read the previous life of worker w1");
            }
        }
    }

    @Test
    void aWorkerStartedWhileRedisIsFrozenCarriesTheRestartsOfItsEarlierLivesOnceRedisResumes(CapturedOutput output) {
        try (RedisServerSupport server = RedisServerSupport.start();
                Observer observer = new Observer(server, Duration.ofSeconds(2))) {
            Instant now = Instant.now();
            earlierLives(server, observer, now);
            int mark = output.getAll().length();
            try (RedisStoreFaultsSupport.Frozen frozen = RedisStoreFaultsSupport.freeze(server);
                    InProcessWorker third = new InProcessWorker(server, "w1", Duration.ofMillis(500), now)) {
                third.signal("usr1");
                third.serve(7);
                awaitLog(output, mark, (log) -> log.contains(FLUSH_FAILED));
                assertThat(frozen.stillFrozen()).isTrue();
                frozen.close();
                RequestExposition after = observer.awaitRequests(Map.of("w1", 7L));
                assertThat(restarts(after)).containsExactlyInAnyOrderEntriesOf(EARLIER_LIVES_AND_A_USR1);
            }
        }
    }

    /**
     * Two earlier lives of worker w1, the first stopped by {@code term}, the second
     * crashed after it published the restart it carried from the first.
     */
    private static void earlierLives(RedisServerSupport server, Observer observer, Instant now) {
        try (InProcessWorker first = new InProcessWorker(server, "w1", Duration.ofSeconds(2), now.minusSeconds(20))) {
            first.serve(5);
            first.stopCleanly();
        }
        try (InProcessWorker second = new InProcessWorker(server, "w1", Duration.ofSeconds(2), now.minusSeconds(10))) {
            second.serve(6);
            assertThat(restarts(observer.awaitRequests(Map.of("w1", 6L)))).containsExactly(Map.entry("term", 1.0));
        }
    }

    /**
     * The merged restart counter by reason, without the reasons still at 0.
     */
    private static Map<String, Double> restarts(RequestExposition exposition) {
        Map<String, Double> byReason = new TreeMap<>();
        for (String series : exposition.series("gunicorn_master_worker_restart_total")) {
            if (exposition.value(series) != 0) {
                byReason.put(series.replaceAll(".*reason=\"([^\"]*)\".*", "$1"), exposition.value(series));
            }
        }
        return byReason;
    }

    /**
     * The WARN lines with the message logged since the mark.
     */
    private static List<String> warnings(CapturedOutput output, int mark, String message) {
        return output.getAll()
            .substring(mark)
            .lines()
            .filter((line) -> line.contains("WARN") && line.contains(message))
            .toList();
    }

    private static void awaitLog(CapturedOutput output, int mark, Predicate<String> condition) {
        await().atMost(DEADLINE)
            .pollInterval(Duration.ofMillis(50))
            .untilAsserted(() -> assertThat(output.getAll().substring(mark)).matches(condition,
                    "the log showing what was expected"));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * A worker in this JVM: its own registry with a request counter and the master
     * counters ({@link MasterRestarts}), its own store and a publisher flushing every
     * {@link #FLUSH} on its {@code exporter-flush} thread.
     */
    private static final class InProcessWorker implements AutoCloseable {

        private final MergedViewRegistry registry = new MergedViewRegistry(true);

        private final Counter requests = Counter.builder().name("gunicorn_worker_requests").register(this.registry);

        private final WorkerLifecycle lifecycle = new WorkerLifecycle();

        private final MasterRestarts master;

        private final RedisMetricStore store;

        private final WorkerPublisher publisher;

        InProcessWorker(RedisServerSupport server, String id, Duration timeout) {
            this(server, id, timeout, Instant.now());
        }

        InProcessWorker(RedisServerSupport server, String id, Duration timeout, Instant start) {
            this.master = new MasterRestarts("gunicorn", id);
            this.registry.register(this.master);
            this.lifecycle.transition(WorkerState.RUNNING);
            this.store = RedisMetricStore.connect(endpoint(server, timeout), PREFIX, Duration.ofMinutes(5));
            this.publisher = new WorkerPublisher(this.store, new BinarySnapshotCodec(),
                    new WorkerIdentity(id, ProcessHandle.current().pid(), start),
                    () -> this.registry.scrapeLocal((name) -> true), (name) -> true, this.lifecycle,
                    (records) -> RestartCarry.carry(records, id, start.toEpochMilli(), new BinarySnapshotCodec(),
                            this.master),
                    Clock.systemUTC(),
                    WorkerIdConflict.of("gunicorn", new WorkerIdentity(id, ProcessHandle.current().pid(), start)));
            this.publisher.start(FLUSH);
        }

        void serve(int requests) {
            this.requests.inc(requests);
        }

        void signal(String signal) {
            this.master.signal(signal);
        }

        void flushNow() {
            this.publisher.flushNow();
        }

        /**
         * Stop as at a clean exit: stop the schedule, flush once as stopped.
         */
        void stopCleanly() {
            this.publisher.close();
            this.lifecycle.transition(WorkerState.STOPPING);
            this.lifecycle.transition(WorkerState.STOPPED);
            this.publisher.flushNow();
        }

        @Override
        public void close() {
            this.publisher.close();
            this.store.close();
        }

    }

    /**
     * The merged view, as a worker serves it: a registry of its own with one local
     * counter ({@code observer_local_total 1}), which alone is served when Redis cannot
     * be read.
     */
    private static final class Observer implements AutoCloseable {

        private final MergedViewRegistry registry = new MergedViewRegistry(true);

        private final RedisMetricStore store;

        Observer(RedisServerSupport server, Duration timeout) {
            this.store = RedisMetricStore.connect(endpoint(server, timeout), PREFIX, Duration.ofMinutes(5));
            Counter.builder().name("observer_local").register(this.registry).inc();
            this.registry
                .addView(new MergingCollector(
                        new WorkerCensus(this.store, new BinarySnapshotCodec(), "gunicorn", Duration.ofSeconds(15),
                                Clock.systemUTC()),
                        "gunicorn", Map.of(), () -> this.registry.scrapeLocal((name) -> true)));
        }

        RequestExposition scrape() {
            return RequestExposition.scrape(this.registry);
        }

        /**
         * Scrape until the merged request counter of each given worker has its value, and
         * no other worker's counter is there.
         */
        RequestExposition awaitRequests(Map<String, Long> expected) {
            long end = System.nanoTime() + DEADLINE.toNanos();
            RequestExposition last = null;
            while (System.nanoTime() < end) {
                last = scrape();
                if (matches(last, expected)) {
                    return last;
                }
                sleep(50);
            }
            throw new AssertionError("The merged view did not show " + expected + " within " + DEADLINE
                    + "; last scrape:\n" + ((last != null) ? last.text() : "(none)"));
        }

        private static boolean matches(RequestExposition exposition, Map<String, Long> expected) {
            List<String> series = exposition.series("gunicorn_worker_requests_total");
            List<String> wanted = new ArrayList<>();
            for (Map.Entry<String, Long> entry : expected.entrySet()) {
                String key = "gunicorn_worker_requests_total{worker_id=\"" + entry.getKey() + "\"}";
                wanted.add(key);
                if (exposition.value(key) != entry.getValue()) {
                    return false;
                }
            }
            return series.size() == wanted.size() && series.containsAll(wanted);
        }

        @Override
        public void close() {
            this.store.close();
        }

    }

    private static RedisEndpoint endpoint(RedisServerSupport server, Duration timeout) {
        return new RedisEndpoint(server.host(), server.port(), 0, null, null, false, timeout);
    }

    /**
     * A slow Redis: a client of its own pauses every client ({@code CLIENT PAUSE ms ALL})
     * again and again, with a short gap after each pause, so every command waits up to a
     * pause.
     */
    private static final class SlowRedis implements AutoCloseable {

        private final RedisClient client;

        private final AtomicBoolean stop = new AtomicBoolean();

        private final AtomicInteger pauses = new AtomicInteger();

        private final CompletableFuture<Void> loop;

        private SlowRedis(RedisServerSupport server, Duration pause, Duration gap) {
            this.client = RedisClient.create(RedisURI.create(server.host(), server.port()));
            StatefulRedisConnection<String, String> connection = this.client.connect();
            RedisCommands<String, String> redis = connection.sync();
            this.loop = CompletableFuture.runAsync(() -> {
                while (!this.stop.get()) {
                    redis.clientPause(pause.toMillis());
                    this.pauses.incrementAndGet();
                    // waits for the end of the pause
                    redis.ping();
                    sleep(gap.toMillis());
                }
            }).whenComplete((result, ex) -> connection.close());
        }

        static SlowRedis start(RedisServerSupport server, Duration pause, Duration gap) {
            return new SlowRedis(server, pause, gap);
        }

        void awaitPauses(int count) {
            await(count + " pauses").atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> this.pauses.get() >= count);
        }

        /**
         * Stop pausing.
         * @return how many pauses there were
         */
        int stop() throws Exception {
            this.stop.set(true);
            this.loop.get(1, TimeUnit.MINUTES);
            return this.pauses.get();
        }

        @Override
        public void close() {
            this.stop.set(true);
            this.loop.join();
            this.client.shutdown(0, 2, TimeUnit.SECONDS);
        }

    }

}
