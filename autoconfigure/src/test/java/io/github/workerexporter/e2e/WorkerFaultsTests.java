package io.github.workerexporter.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.e2e.WorkerRestartsTests.Store;
import io.github.workerexporter.storage.redis.RedisServerExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static io.github.workerexporter.e2e.Totals.requests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Worker faults with real worker JVMs ({@link E2eWorker}) over a shared directory and
 * over a real Redis server: eight workers started at once, then three of them killed with
 * {@code kill -9} at random moments under steady load while they flush every 10 ms (so a
 * kill often lands in a flush), then one of them restarted under its worker id. One
 * worker ({@code w1}) is scraped all along on its metrics port: it never fails to answer,
 * each series appears once, and no worker's count ever goes down. The killed workers are
 * {@code lost} once their heartbeat timeout (2 s) passed and keep their counters; the one
 * restarted is counted as a restart with {@code crash} and its counters start again from
 * 0; the totals of the workers alive are exact ({@link Totals}: what each application
 * counted itself); the store holds as many files or keys after the kills and the restart
 * as before; no worker logs a warning or a stack trace. No timing assertion: each step
 * waits for a condition, bounded by a deadline.
 * <p>
 * <b>What a {@code kill -9} loses.</b> A worker publishes cumulative values; the store
 * keeps its last complete flush (one of the two CRC-checked slots of its file, or one
 * atomic Redis command), so a killed worker's counters stay at the value of its last
 * complete flush: at least what any scrape showed before the kill, at most what it was
 * sent. What is lost is exactly what it counted after its last complete flush read its
 * counters: the requests of at most one flush interval plus the duration of one flush.
 * The test prints it per kill ({@code kill -9 of w6 lost x of y requests answered}).
 *
 * @author Worker Exporter
 */
@Tag("reliability")
class WorkerFaultsTests {

    private static final Duration DEADLINE = Duration.ofSeconds(120);

    private static final List<String> IDS = IntStream.rangeClosed(1, 8).mapToObj((n) -> "w" + n).toList();

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.started();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Store.class)
    void eightWorkersStartTogetherAndWorkersKilledMidFlushKeepTheirLastFlushAndComeBackAsACrash(Store store) {
        long started = System.nanoTime();
        try (Workers jvms = new Workers(this.dir.resolve("logs"), arguments(store).toArray(String[]::new))) {
            // Eight at once: all appear, none overwrites another, totals exact.
            List<Worker> workers = jvms.start(IDS.toArray(String[]::new));
            Worker observer = workers.get(0);
            jvms.awaitScrape(observer, DEADLINE, (exposition) -> workers(exposition, "alive") == 8);
            phase(store, "eight workers alive", started);
            List<String> entries = entries(store);
            // Per worker: its data and its claim of the id (a lock file, an owner key);
            // Redis adds the index.
            assertThat(entries).hasSize((store == Store.FILE) ? 16 : 17).noneMatch((entry) -> entry.endsWith(".tmp"));
            int each = 100;
            Load sent = jvms.send(workers, each, 1);
            assertThat(sent.failed()).isZero();
            for (Worker worker : workers) {
                assertThat(sent.ok(worker)).as(worker.id()).isEqualTo(each);
            }
            RequestExposition exact = jvms.awaitExact(observer, DEADLINE, workers);
            assertThat(exact.series("gunicorn_worker_requests_total")).hasSize(8);
            assertThat(exact.types()).doesNotHaveDuplicates();
            phase(store, "exact totals", started);

            // kill -9 at random moments under steady load, flushes every 10 ms.
            List<Worker> victims = workers.subList(5, 8);
            List<Worker> survivors = workers.subList(0, 5);
            Load load = jvms.load(workers, Integer.MAX_VALUE, 1);
            Watcher watcher = new Watcher(jvms, observer);
            List<Kill> kills = new ArrayList<>();
            try {
                for (Worker victim : victims) {
                    double before = requests(exact, victim.id());
                    jvms.awaitScrape(observer, DEADLINE, (exposition) -> requests(exposition, victim.id()) > before);
                    Workers.sleep(ThreadLocalRandom.current().nextLong(100, 600));
                    kills.add(kill(jvms, watcher, victim));
                }
                RequestExposition lost = jvms.awaitScrape(observer, DEADLINE,
                        (exposition) -> workers(exposition, "lost") == 3);
                assertThat(workers(lost, "alive")).isEqualTo(5);
            }
            finally {
                load.stop();
                watcher.close();
            }
            phase(store, "three killed and lost", started);
            assertThat(watcher.failures).as("scrapes of w1 while workers were killed").isEmpty();
            assertThat(watcher.scrapes.get()).isPositive();
            RequestExposition afterKills = jvms.awaitExact(observer, DEADLINE, survivors);
            for (Kill kill : kills) {
                Worker victim = kill.victim();
                double kept = requests(afterKills, victim.id());
                long answered = victim.ok();
                System.out.printf("%s: kill -9 of %s lost %.0f of %d requests answered (%d not answered)%n", store,
                        victim.id(), answered - kept, answered, victim.failed());
                // The client never sends a request twice: the worker cannot have counted
                // more.
                assertThat(kept).as("counters of %s kept after its kill", victim.id())
                    .isGreaterThanOrEqualTo(kill.lastSeen())
                    .isLessThanOrEqualTo(answered + victim.failed());
            }
            for (Worker worker : workers) {
                assertThat(worker.log()).as("log of %s", worker.id())
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ")
                    .doesNotContain(" WARN ");
            }
            // The claims of the killed workers expire in Redis (a free lock file stays).
            assertThat(data(entries(store))).as("store after the kills").isEqualTo(data(entries));

            // One killed worker comes back under its id; the other two stay lost.
            Worker restarted = jvms.start("w8").get(0);
            RequestExposition back = jvms.awaitScrape(observer, DEADLINE,
                    (exposition) -> workers(exposition, "alive") == 6 && workers(exposition, "lost") == 2
                            && crashes(exposition) == 1);
            phase(store, "restarted", started);
            assertThat(back.series("gunicorn_master_worker_restart_total"))
                .filteredOn((series) -> !series.contains("crash"))
                .allSatisfy((series) -> assertThat(back.value(series)).as(series).isZero());
            assertThat(jvms.send(List.of(restarted), 100, 1).ok()).isEqualTo(100);
            List<Worker> alive = new ArrayList<>(survivors);
            alive.add(restarted);
            RequestExposition anew = jvms.awaitExact(observer, DEADLINE, alive);
            assertThat(anew.series("gunicorn_worker_requests_total")).hasSize(8);
            assertThat(anew.types()).doesNotHaveDuplicates();
            for (String lost : List.of("w6", "w7")) {
                assertThat(requests(anew, lost)).as("counters of %s, lost", lost).isEqualTo(requests(afterKills, lost));
            }
            assertThat(data(entries(store))).as("store after the restarts").isEqualTo(data(entries));
        }
    }

    private static void phase(Store store, String phase, long started) {
        System.out.printf("%s: %s after %d s%n", store, phase,
                Duration.ofNanos(System.nanoTime() - started).toSeconds());
    }

    private static Kill kill(Workers jvms, Watcher watcher, Worker victim) {
        double lastSeen = watcher.lastSeen(victim.id());
        jvms.kill(victim);
        return new Kill(victim, lastSeen);
    }

    private List<String> arguments(Store store) {
        List<String> arguments = new ArrayList<>(List.of("--exporter.storage.flush-interval=10ms",
                "--exporter.storage.heartbeat-timeout=2s", "--exporter.prometheus.metrics-port=0"));
        if (store == Store.FILE) {
            arguments.add("--exporter.prometheus.multiproc-dir=" + this.dir.resolve("multiproc"));
        }
        else {
            arguments.addAll(List.of("--exporter.redis.enabled=true", "--spring.data.redis.host=" + redis.host(),
                    "--spring.data.redis.port=" + redis.port(), "--exporter.redis.key-prefix=" + prefix()));
        }
        return arguments;
    }

    private String prefix() {
        return "faults-" + this.dir.getFileName();
    }

    /**
     * What the store holds: the files of the shared directory, or the Redis keys of this
     * test.
     */
    /**
     * The entries that hold data, without the claims of worker ids in Redis.
     */
    private static List<String> data(List<String> entries) {
        return entries.stream().filter((entry) -> !entry.contains("}:owner:")).toList();
    }

    private List<String> entries(Store store) {
        if (store == Store.REDIS) {
            return redis.server().run((commands) -> commands.keys("{" + prefix() + "}*")).stream().sorted().toList();
        }
        try (Stream<Path> files = Files.list(this.dir.resolve("multiproc"))) {
            return files.map((file) -> file.getFileName().toString()).sorted().toList();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static double workers(RequestExposition exposition, String state) {
        return exposition.value("gunicorn_master_workers{state=\"" + state + "\"}");
    }

    private static double crashes(RequestExposition exposition) {
        return exposition.value("gunicorn_master_worker_restart_total{reason=\"crash\"}");
    }

    /**
     * One kill.
     *
     * @param victim the killed worker
     * @param lastSeen its request count in the last scrape before the kill
     */
    private record Kill(Worker victim, double lastSeen) {

    }

    /**
     * Scrapes a worker without pause while workers are killed: every scrape must answer
     * 200 with each series once, and no worker's request count may ever go down.
     */
    private static final class Watcher implements AutoCloseable {

        private final AtomicBoolean stop = new AtomicBoolean();

        private final List<String> failures = new CopyOnWriteArrayList<>();

        private final Map<String, Double> seen = new ConcurrentHashMap<>();

        private final AtomicLong scrapes = new AtomicLong();

        private final Thread thread;

        Watcher(Workers jvms, Worker observer) {
            this.thread = new Thread(() -> {
                while (!this.stop.get()) {
                    try {
                        RequestExposition exposition = jvms.scrape(observer);
                        this.scrapes.incrementAndGet();
                        for (String id : IDS) {
                            double now = requests(exposition, id);
                            Double before = this.seen.put(id, now);
                            if (before != null && now < before) {
                                this.failures.add(id + " went down from " + before + " to " + now);
                            }
                        }
                    }
                    catch (RuntimeException ex) {
                        this.failures.add(ex.toString());
                    }
                    Workers.sleep(20);
                }
            }, "watcher");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        double lastSeen(String id) {
            return this.seen.getOrDefault(id, 0.0);
        }

        @Override
        public void close() {
            this.stop.set(true);
            try {
                this.thread.join(Duration.ofMinutes(1).toMillis());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }

    }

}
