package io.github.workerexporter.e2e;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.workerexporter.testing.LoopbackHttp.Answer;
import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.storage.redis.RedisServerExtension;
import io.github.workerexporter.storage.redis.RedisStoreFaultsSupport;

import static io.github.workerexporter.e2e.Workers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redis faults under two real worker JVMs ({@link E2eWorker}) serving real HTTP requests:
 * Redis frozen, full, flushed behind the workers' back, down, and holding a key of the
 * wrong type. For each: no request fails, no request waits for Redis (they all complete
 * while Redis is still frozen or full), a scrape answers without a stack trace, and once
 * Redis is back the merged {@code gunicorn_worker_requests_total} of each worker equals
 * the requests its application handled plus the actuator requests this test sent it
 * ({@link Workers#exact}). The workers and Redis live for the whole class; the totals add
 * up across its tests. The workers use a connection of their own
 * ({@code exporter.redis.host}), so {@code exporter.redis.timeout} (1 s) bounds every
 * command.
 *
 * @author Worker Exporter
 */
@Tag("reliability")
class RedisFaultsTests {

    private static final String PREFIX = "faults";

    @TempDir
    static Path dir;

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.started("--maxmemory-policy", "noeviction");

    private static Workers workers;

    private static List<Worker> started;

    @BeforeAll
    static void startRedisAndWorkers() {
        workers = new Workers(dir.resolve("logs"), "--exporter.redis.enabled=true",
                "--exporter.redis.host=" + redis.host(), "--exporter.redis.port=" + redis.port(),
                "--exporter.redis.timeout=1s", "--exporter.redis.key-prefix=" + PREFIX,
                AbstractSharedStoreEndToEndTests.FLUSH, "--exporter.prometheus.metrics-port=0",
                "--management.endpoints.web.exposure.include=prometheus,health",
                "--management.endpoint.health.show-details=always");
        started = workers.start("w1", "w2");
    }

    @AfterAll
    static void stopWorkersAndRedis() {
        if (workers != null) {
            workers.close();
        }
    }

    @Test
    void requestsNeverWaitForAFrozenRedisAndTheTotalsAreExactOnceItResumes() {
        awaitExactTotals();
        Worker observer = started.get(0);
        try (RedisStoreFaultsSupport.Frozen frozen = RedisStoreFaultsSupport.freeze(redis.server())) {
            send(300);
            // The scrape gives up reading Redis after the timeout and serves the
            // worker's own metrics.
            assertScrapesAnswerWithLocalMetricsWithoutAStackTrace(observer);
            assertThat(frozen.stillFrozen()).isTrue();
        }
        awaitExactTotals();
        // The flushes failed on the flush thread, never on a request thread.
        assertThat(log(started.get(0))).anyMatch((line) -> line.contains("WARN") && line.contains("exporter-flush]")
                && line.contains("Flush to redis storage failed") && line.contains("timed out"));
    }

    @Test
    void aFullRedisFailsNoRequestIsLoggedOnceAndLosesNothingOnceItHasRoom() {
        awaitExactTotals();
        long refused = RedisStoreFaultsSupport.oomErrors(redis.server());
        redis.server().run((commands) -> commands.configSet("maxmemory", "1"));
        try {
            send(300);
            RedisStoreFaultsSupport.awaitOomErrors(redis.server(), refused + 10);
            send(100);
            assertThat(RedisStoreFaultsSupport.oomErrors(redis.server())).isGreaterThan(refused);
        }
        finally {
            redis.server().run((commands) -> commands.configSet("maxmemory", "0"));
        }
        awaitExactTotals();
        for (Worker worker : started) {
            assertThat(log(worker).filter((line) -> line.contains("WARN")
                    && line.contains("Flush to redis storage failed") && line.contains("OOM command not allowed")))
                .as(worker.id())
                .hasSize(1);
        }
    }

    @Test
    void aFlushallUnderLoadIsRepublishedWithExactTotals() throws Exception {
        awaitExactTotals();
        Load load = workers.load(started, Integer.MAX_VALUE, 2);
        for (int i = 0; i < 5; i++) {
            Thread.sleep(300);
            redis.server().run((commands) -> commands.flushall());
        }
        assertThat(load.stop().failed()).isZero();
        awaitExactTotals();
    }

    @Test
    void aScrapeNeverShowsAStackTraceWhenRedisIsDownOrHoldsAKeyOfTheWrongType() {
        awaitExactTotals();
        Worker observer = started.get(0);
        String index = "{" + PREFIX + "}:workers";
        redis.server().run((commands) -> commands.set(index, "not a set"));
        try {
            send(100);
            assertScrapesAnswerWithoutAStackTrace(observer);
        }
        finally {
            redis.server().run((commands) -> commands.del(index));
        }
        awaitExactTotals();
        redis.server().stop();
        try {
            send(100);
            assertScrapesAnswerWithoutAStackTrace(observer);
        }
        finally {
            // without persistence: Redis comes back empty
            redis.server().restart();
        }
        awaitExactTotals();
        // The health of a worker whose own Redis connection (exporter.redis.host) is up
        // is UP: the application's unused connection (localhost:6379) is not checked.
        Answer health = workers.get(observer, "/actuator/health");
        assertThat(health.status()).as(health.body()).isEqualTo(200);
        assertThat(health.body()).contains("\"exporter\":{\"details\":{\"store\":\"redis\"");
    }

    private void assertScrapesAnswerWithoutAStackTrace(Worker observer) {
        assertScrapesAnswerWithLocalMetricsWithoutAStackTrace(observer);
        Answer health = workers.get(observer, "/actuator/health");
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.body()).contains("\"error\":\"Redis at " + redis.host() + ":" + redis.port());
        assertNoStackTrace("/actuator/health", health);
    }

    /**
     * Both scrape endpoints answer 200 with the worker's own metrics (no merged view, so
     * no {@code gunicorn_master_workers}) and without a stack trace.
     */
    private static void assertScrapesAnswerWithLocalMetricsWithoutAStackTrace(Worker observer) {
        Answer scrape = workers.scrapeRaw(observer);
        assertThat(scrape.status()).isEqualTo(200);
        assertNoStackTrace("the metrics port", scrape);
        assertThat(RequestExposition.parse(scrape.body()).series("gunicorn_master_workers")).isEmpty();
        Answer actuator = workers.get(observer, "/actuator/prometheus");
        assertThat(actuator.status()).isEqualTo(200);
        assertNoStackTrace("/actuator/prometheus", actuator);
    }

    /**
     * Neither a stack frame ({@code at a.b.C.m(C.java:1)}) nor a qualified exception
     * class name.
     */
    private static void assertNoStackTrace(String endpoint, Answer answer) {
        assertThat(answer.body()).as(endpoint)
            .doesNotContainPattern("\\bat [\\w.$]+\\(")
            .doesNotContainPattern("\\b[a-z]+\\.[\\w.]+(Exception|Error)\\b");
    }

    /**
     * Send each worker so many requests at once; none may fail.
     */
    private static void send(int each) {
        assertThat(workers.send(started, each, 2).failed()).isZero();
    }

    /**
     * Wait until the merged view of the first worker shows both workers alive with exact
     * totals.
     */
    private static RequestExposition awaitExactTotals() {
        return workers.awaitExact(started.get(0), DEADLINE, started,
                (exposition) -> exposition.value("gunicorn_master_workers{state=\"alive\"}") == 2);
    }

    private static Stream<String> log(Worker worker) {
        return worker.log().lines();
    }

}
