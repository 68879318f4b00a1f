package io.github.workerexporter.storage.redis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.github.workerexporter.storage.StoreException;

import static io.github.workerexporter.storage.redis.RedisMetricStoreTests.endpoint;
import static io.github.workerexporter.storage.redis.RedisMetricStoreTests.record;
import static io.github.workerexporter.storage.redis.RedisMetricStoreTests.workerIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link RedisMetricStore} on servers the tests own: round trips, outages and
 * authentication.
 *
 * @author Worker Exporter
 */
class RedisMetricStoreConnectionTests {

    private static final String PASSWORD = "s3cret-pw";

    @Test
    void publishIsOneCommandAndReadAllTwo() {
        try (RedisServerSupport server = RedisServerSupport.start();
                RedisMetricStore store = RedisMetricStore.connect(endpoint(server), "gunicorn",
                        Duration.ofMinutes(5))) {
            store.publish(record("worker-1"));
            store.publish(record("worker-2"));
            // opens the connection that reads go over
            workerIds(store);
            server.run((redis) -> {
                Map<String, Long> before = stats(redis.info("stats"));
                store.publish(record("worker-1"));
                Map<String, Long> afterPublish = stats(redis.info("stats"));
                assertThat(workerIds(store)).containsExactlyInAnyOrder("worker-1", "worker-2");
                Map<String, Long> afterRead = stats(redis.info("stats"));
                // each delta includes the INFO that measures it
                assertThat(delta(before, afterPublish, "total_reads_processed")).isEqualTo(1 + 1);
                assertThat(delta(afterPublish, afterRead, "total_reads_processed")).isEqualTo(2 + 1);
                return null;
            });
        }
    }

    @Test
    void readsALargeFleetInBatchesSoThatAFlushWaitsForOneBatchInRedisNotForTheFleet() {
        try (RedisServerSupport server = RedisServerSupport.start();
                RedisMetricStore store = RedisMetricStore.connect(endpoint(server), "gunicorn",
                        Duration.ofMinutes(5))) {
            int workers = 2 * RedisMetricStore.MGET_BATCH + 1;
            for (int i = 0; i < workers; i++) {
                store.publish(record("worker-" + i));
            }
            long before = mgets(server);
            assertThat(workerIds(store)).hasSize(workers).doesNotHaveDuplicates();
            assertThat(mgets(server) - before).isEqualTo(3);
        }
    }

    @Test
    void aFlushCompletesWhileAScrapesReadIsHeldUp() throws Exception {
        try (RedisServerSupport server = RedisServerSupport.start();
                ReplyHoldingProxy proxy = ReplyHoldingProxy.start(server);
                RedisMetricStore store = RedisMetricStore.connect(
                        new RedisEndpoint(proxy.host(), proxy.port(), 0, null, null, false, Duration.ofSeconds(5)),
                        "gunicorn", Duration.ofMinutes(5))) {
            store.publish(record("worker-1"));
            assertThat(workerIds(store)).containsExactly("worker-1");
            proxy.holdRepliesAfter("MGET");
            CompletableFuture<List<String>> scrape = CompletableFuture.supplyAsync(() -> workerIds(store));
            proxy.awaitHeld();
            // a worker's flush while the scrape waits for its records
            store.publish(record("worker-2"));
            assertThat(scrape).isNotDone();
            proxy.release();
            assertThat(scrape.get(60, TimeUnit.SECONDS)).containsExactly("worker-1");
            assertThat(workerIds(store)).containsExactlyInAnyOrder("worker-1", "worker-2");
        }
    }

    @Test
    void storeOnAClosedPortThrowsWithoutThePasswordAndRecoversWhenRedisStarts() {
        RedisServerSupport server = RedisServerSupport.start();
        server.stop();
        RedisEndpoint endpoint = new RedisEndpoint(server.host(), server.port(), 0, null, PASSWORD, false,
                Duration.ofSeconds(1));
        try (RedisMetricStore store = RedisMetricStore.connect(endpoint, "gunicorn", Duration.ofMinutes(5))) {
            assertThatExceptionOfType(StoreException.class).isThrownBy(() -> store.publish(record("worker-1")))
                .satisfies((ex) -> assertThat(messages(ex)).contains(endpoint.toString()).doesNotContain(PASSWORD));
            assertThatExceptionOfType(StoreException.class).isThrownBy(store::readAll)
                .satisfies((ex) -> assertThat(messages(ex)).doesNotContain(PASSWORD));
            server.restart();
            server.run((redis) -> redis.configSet("requirepass", PASSWORD));
            store.publish(record("worker-1"));
            assertThat(workerIds(store)).containsExactly("worker-1");
        }
        finally {
            server.close();
        }
    }

    @Test
    void storeFailsWhileRedisIsDownAndRecoversAfterARestartOnTheSamePort() throws InterruptedException {
        try (RedisServerSupport server = RedisServerSupport.start();
                RedisMetricStore store = RedisMetricStore.connect(endpoint(server), "gunicorn",
                        Duration.ofMinutes(5))) {
            store.publish(record("worker-1"));
            server.stop();
            assertThatExceptionOfType(StoreException.class).isThrownBy(() -> store.publish(record("worker-1")));
            server.restart();
            assertThat(publishesWithin(store, Duration.ofSeconds(20))).isTrue();
            assertThat(workerIds(store)).containsExactly("worker-1");
        }
    }

    @Test
    void connectsWithAnAclUserAndPassword() {
        try (RedisServerSupport server = RedisServerSupport.start("--user", "default", "off", "--user", "alice", "on",
                ">" + PASSWORD, "~*", "&*", "+@all")) {
            RedisEndpoint alice = new RedisEndpoint(server.host(), server.port(), 0, "alice", PASSWORD, false,
                    Duration.ofSeconds(2));
            try (RedisMetricStore store = RedisMetricStore.connect(alice, "gunicorn", Duration.ofMinutes(5))) {
                store.publish(record("worker-1"));
                assertThat(workerIds(store)).containsExactly("worker-1");
            }
            RedisEndpoint wrong = new RedisEndpoint(server.host(), server.port(), 0, "alice", "wrong", false,
                    Duration.ofSeconds(2));
            try (RedisMetricStore store = RedisMetricStore.connect(wrong, "gunicorn", Duration.ofMinutes(5))) {
                assertThatExceptionOfType(StoreException.class).isThrownBy(store::readAll);
            }
        }
    }

    @Test
    void connectsWithRequirePass() {
        try (RedisServerSupport server = RedisServerSupport.start("--requirepass", PASSWORD)) {
            RedisEndpoint endpoint = new RedisEndpoint(server.host(), server.port(), 3, null, PASSWORD, false,
                    Duration.ofSeconds(2));
            try (RedisMetricStore store = RedisMetricStore.connect(endpoint, "gunicorn", Duration.ofMinutes(5))) {
                store.publish(record("worker-1"));
                assertThat(workerIds(store)).containsExactly("worker-1");
            }
        }
    }

    private static boolean publishesWithin(RedisMetricStore store, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                store.publish(record("worker-1"));
                return true;
            }
            catch (StoreException ex) {
                Thread.sleep(100);
            }
        }
        return false;
    }

    private static long mgets(RedisServerSupport server) {
        // cmdstat_mget:calls=3,usec=...
        return server.run((redis) -> redis.info("commandstats"))
            .lines()
            .filter((line) -> line.startsWith("cmdstat_mget:"))
            .mapToLong((line) -> Long.parseLong(line.replaceAll("cmdstat_mget:calls=(\\d+),.*", "$1")))
            .sum();
    }

    private static Map<String, Long> stats(String info) {
        return info.lines()
            .filter((line) -> line.startsWith("total_"))
            .map((line) -> line.split(":", 2))
            .collect(Collectors.toMap((pair) -> pair[0], (pair) -> Long.parseLong(pair[1].trim())));
    }

    private static long delta(Map<String, Long> before, Map<String, Long> after, String stat) {
        return after.get(stat) - before.get(stat);
    }

    private static String messages(Throwable ex) {
        StringBuilder messages = new StringBuilder();
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            messages.append(cause).append('\n');
        }
        return messages.toString();
    }

}
