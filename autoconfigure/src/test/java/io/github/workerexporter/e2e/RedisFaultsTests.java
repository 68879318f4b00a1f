package io.github.workerexporter.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.e2e.Workers.Load;
import io.github.workerexporter.e2e.Workers.Worker;
import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.storage.redis.RedisServerSupport;
import io.github.workerexporter.storage.redis.RedisStoreFaultsSupport;

import static io.github.workerexporter.e2e.AbstractSharedStoreEndToEndTests.requests;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis faults under two real worker JVMs ({@link E2eWorker}) serving real HTTP requests:
 * Redis frozen, full, flushed behind the workers' back, down, and holding a key of the
 * wrong type. For each: no request fails, no request waits for Redis (they all complete
 * while Redis is still frozen or full), a scrape answers without a stack trace, and once
 * Redis is back the merged {@code gunicorn_worker_requests_total} of each worker equals
 * the requests this test sent it. The workers and Redis live for the whole class; the
 * expected totals add up across its tests. The workers use a connection of their own
 * ({@code exporter.redis.host}), so {@code exporter.redis.timeout} (1 s) bounds every
 * command.
 *
 * @author Worker Exporter
 */
@Tag("reliability")
class RedisFaultsTests {

    private static final Duration DEADLINE = AbstractSharedStoreEndToEndTests.DEADLINE;

    private static final String PREFIX = "faults";

    @TempDir
    static Path dir;

    private static RedisServerSupport redis;

    private static Workers workers;

    private static List<Worker> started;

    /**
     * The threads of the clients, one per worker (the common pool may have one thread).
     */
    private static final ExecutorService clients = Executors.newCachedThreadPool();

    /** The requests answered 200 by each worker since it started. */
    private static final Map<String, Long> sent = new ConcurrentHashMap<>();

    private final HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();

    @BeforeAll
    static void startRedisAndWorkers() {
        redis = RedisServerSupport.start("--maxmemory-policy", "noeviction");
        workers = new Workers(dir.resolve("logs"), "--exporter.redis.enabled=true",
                "--exporter.redis.host=" + redis.host(), "--exporter.redis.port=" + redis.port(),
                "--exporter.redis.timeout=1s", "--exporter.redis.key-prefix=" + PREFIX,
                AbstractSharedStoreEndToEndTests.FLUSH, "--exporter.prometheus.metrics-port=0",
                "--management.endpoints.web.exposure.include=prometheus,health",
                "--management.endpoint.health.show-details=always");
        started = workers.start("w1", "w2");
        started.forEach((worker) -> sent.put(worker.id(), 0L));
    }

    @AfterAll
    static void stopWorkersAndRedis() {
        clients.shutdownNow();
        if (workers != null) {
            workers.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void requestsNeverWaitForAFrozenRedisAndTheTotalsAreExactOnceItResumes() {
        awaitExactTotals();
        Worker observer = started.get(0);
        try (RedisStoreFaultsSupport.Frozen frozen = RedisStoreFaultsSupport.freeze(redis)) {
            send(300);
            // The scrape gives up reading Redis after the timeout and serves the
            // worker's own metrics.
            HttpResponse<String> scrape = get(observer.metrics());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertNoStackTrace(scrape);
            assertThat(RequestExposition.parse(scrape.body()).series("gunicorn_master_workers")).isEmpty();
            HttpResponse<String> actuator = getCounted(observer, "/actuator/prometheus");
            assertThat(actuator.statusCode()).isEqualTo(200);
            assertNoStackTrace(actuator);
            assertThat(frozen.stillFrozen()).isTrue();
        }
        awaitExactTotals();
        // The flushes failed on the flush thread, never on a request thread.
        assertThat(log("w1")).anyMatch((line) -> line.contains("WARN") && line.contains("exporter-flush]")
                && line.contains("Flush to redis storage failed") && line.contains("timed out"));
    }

    @Test
    void aFullRedisFailsNoRequestIsLoggedOnceAndLosesNothingOnceItHasRoom() {
        awaitExactTotals();
        long refused = RedisStoreFaultsSupport.oomErrors(redis);
        redis.run((commands) -> commands.configSet("maxmemory", "1"));
        try {
            send(300);
            RedisStoreFaultsSupport.awaitOomErrors(redis, refused + 10);
            send(100);
            assertThat(RedisStoreFaultsSupport.oomErrors(redis)).isGreaterThan(refused);
        }
        finally {
            redis.run((commands) -> commands.configSet("maxmemory", "0"));
        }
        awaitExactTotals();
        for (Worker worker : started) {
            assertThat(log(worker.id()).filter((line) -> line.contains("WARN")
                    && line.contains("Flush to redis storage failed") && line.contains("OOM command not allowed")))
                .as(worker.id())
                .hasSize(1);
        }
    }

    @Test
    void aFlushallUnderLoadIsRepublishedWithExactTotals() throws Exception {
        awaitExactTotals();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Map<String, Load>> load = CompletableFuture.supplyAsync(() -> sendUntil(stop), clients);
        for (int i = 0; i < 5; i++) {
            Thread.sleep(300);
            redis.run((commands) -> commands.flushall());
        }
        stop.set(true);
        load.get(5, TimeUnit.MINUTES);
        awaitExactTotals();
    }

    @Test
    void aScrapeNeverShowsAStackTraceWhenRedisIsDownOrHoldsAKeyOfTheWrongType() {
        awaitExactTotals();
        Worker observer = started.get(0);
        String index = "{" + PREFIX + "}:workers";
        redis.run((commands) -> commands.set(index, "not a set"));
        try {
            send(100);
            assertScrapesAnswerWithoutAStackTrace(observer);
        }
        finally {
            redis.run((commands) -> commands.del(index));
        }
        awaitExactTotals();
        redis.stop();
        try {
            send(100);
            assertScrapesAnswerWithoutAStackTrace(observer);
        }
        finally {
            // without persistence: Redis comes back empty
            redis.restart();
        }
        awaitExactTotals();
        // The health of a worker whose own Redis connection (exporter.redis.host) is up
        // is UP: the application's unused connection (localhost:6379) is not checked.
        HttpResponse<String> health = getCounted(observer, "/actuator/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"exporter\":{\"details\":{\"store\":\"redis\"");
    }

    private void assertScrapesAnswerWithoutAStackTrace(Worker observer) {
        HttpResponse<String> scrape = get(observer.metrics());
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertNoStackTrace(scrape);
        assertThat(RequestExposition.parse(scrape.body()).series("gunicorn_master_workers")).isEmpty();
        HttpResponse<String> actuator = getCounted(observer, "/actuator/prometheus");
        assertThat(actuator.statusCode()).isEqualTo(200);
        assertNoStackTrace(actuator);
        HttpResponse<String> health = getCounted(observer, "/actuator/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"error\":\"Redis at " + redis.host() + ":" + redis.port());
        assertNoStackTrace(health);
    }

    /**
     * Neither a stack frame ({@code at a.b.C.m(C.java:1)}) nor a qualified exception
     * class name.
     */
    private static void assertNoStackTrace(HttpResponse<String> response) {
        assertThat(response.body()).as(response.uri().toString())
            .doesNotContainPattern("\\bat [\\w.$]+\\(")
            .doesNotContainPattern("\\b[a-z]+\\.[\\w.]+(Exception|Error)\\b");
    }

    /**
     * A request to the application, counted as one of the worker's requests once
     * answered.
     */
    private HttpResponse<String> getCounted(Worker worker, String path) {
        HttpResponse<String> response = get(worker.http(path));
        sent.merge(worker.id(), 1L, Long::sum);
        return response;
    }

    /**
     * Send each worker so many requests at once and count them; none may fail.
     */
    private static void send(int each) {
        List<CompletableFuture<Load>> loads = started.stream()
            .map((worker) -> CompletableFuture.supplyAsync(() -> workers.load(List.of(worker), each, 2, () -> false),
                    clients))
            .toList();
        for (int i = 0; i < started.size(); i++) {
            Load load = loads.get(i).join();
            count(started.get(i), load);
        }
    }

    private static Map<String, Load> sendUntil(AtomicBoolean stop) {
        List<CompletableFuture<Load>> loads = started.stream()
            .map((worker) -> CompletableFuture
                .supplyAsync(() -> workers.load(List.of(worker), Integer.MAX_VALUE, 2, stop::get), clients))
            .toList();
        Map<String, Load> answers = new ConcurrentHashMap<>();
        for (int i = 0; i < started.size(); i++) {
            Load load = loads.get(i).join();
            count(started.get(i), load);
            answers.put(started.get(i).id(), load);
        }
        return answers;
    }

    private static void count(Worker worker, Load load) {
        assertThat(load.failed()).as("failed requests of " + worker.id()).isZero();
        sent.merge(worker.id(), load.ok(), Long::sum);
    }

    /**
     * Wait until the merged view of the first worker shows both workers alive with
     * exactly the requests sent to each.
     */
    private static RequestExposition awaitExactTotals() {
        return workers.awaitScrape(started.get(0), DEADLINE,
                (exposition) -> exposition.value("gunicorn_master_workers{state=\"alive\"}") == 2 && started.stream()
                    .allMatch((worker) -> requests(exposition, worker.id()) == sent.get(worker.id())));
    }

    private HttpResponse<String> get(URI uri) {
        try {
            return this.client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static java.util.stream.Stream<String> log(String workerId) {
        try {
            return Files.readString(dir.resolve("logs").resolve(workerId + ".log")).lines();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
