package io.github.workerexporter.storage.redis;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerIdConflictException;
import io.github.workerexporter.storage.WorkerLife;
import io.github.workerexporter.storage.WorkerRecord;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RedisMetricStore} against a real Redis server.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisMetricStoreTests {

    private static final Duration TTL = Duration.ofSeconds(300);

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.shared();

    private final RedisServerSupport server = redis.server();

    private final String prefix = "test:" + UUID.randomUUID();

    private final RedisMetricStore store = store(this.prefix, TTL);

    @AfterEach
    void closeStore() {
        this.store.close();
    }

    @Test
    void readsBackWhatWasPublishedWithABinaryPayload() {
        byte[] metrics = new byte[256];
        for (int i = 0; i < metrics.length; i++) {
            metrics[i] = (byte) i;
        }
        WorkerRecord running = new WorkerRecord("worker-1", 1, 1000, 2000, WorkerState.RUNNING, null, metrics);
        this.store.publish(running);
        assertThat(this.store.readAll()).containsExactly(running);
        WorkerRecord stopped = new WorkerRecord("worker-1", 1, 1000, 3000, WorkerState.STOPPED, StopReason.TERM,
                new byte[0]);
        this.store.publish(stopped);
        assertThat(this.store.readAll()).containsExactly(stopped);
        WorkerRecord restarted = new WorkerRecord("worker-1", 1, 4000, 5000, WorkerState.RUNNING, null, metrics);
        this.store.publish(restarted);
        assertThat(this.store.readAll()).containsExactly(restarted);
    }

    @Test
    void storesWithTheSamePrefixSeeEachOthersWorkers() {
        try (RedisMetricStore other = store(this.prefix, TTL)) {
            this.store.publish(record("worker-1"));
            other.publish(record("worker-2"));
            assertThat(workerIds(this.store)).containsExactlyInAnyOrder("worker-1", "worker-2");
            assertThat(workerIds(other)).containsExactlyInAnyOrder("worker-1", "worker-2");
        }
    }

    @Test
    void prefixesWithColonsAndBracesKeepTheirWorkersApart() {
        try (RedisMetricStore nested = store(this.prefix + ":app", TTL);
                RedisMetricStore braced = store(this.prefix + "}:app{", TTL)) {
            this.store.publish(record("worker-1"));
            nested.publish(record("worker-2"));
            braced.publish(record("worker-3"));
            assertThat(workerIds(this.store)).containsExactly("worker-1");
            assertThat(workerIds(nested)).containsExactly("worker-2");
            assertThat(workerIds(braced)).containsExactly("worker-3");
            List<String> keys = this.server.run((redis) -> redis.keys("{" + this.prefix + "}:*"));
            assertThat(keys).containsExactlyInAnyOrder("{" + this.prefix + "}:workers",
                    "{" + this.prefix + "}:worker:worker-1");
        }
    }

    @Test
    void publishSetsTheTimeToLiveOfTheWorkerAndTheIndex() {
        this.store.publish(record("worker-1"));
        assertThat(ttl("worker:worker-1")).isBetween(1L, 300L);
        assertThat(ttl("workers")).isBetween(1L, 300L);
    }

    @Test
    void publishWithoutTimeToLiveLeavesKeysForever() {
        try (RedisMetricStore forever = store(this.prefix, Duration.ZERO)) {
            forever.publish(record("worker-1"));
            assertThat(ttl("worker:worker-1")).isEqualTo(-1);
            assertThat(ttl("workers")).isEqualTo(-1);
        }
    }

    @Test
    void expiredWorkersDisappearFromReadAllAndFromTheIndex() throws InterruptedException {
        this.store.publish(record("worker-1"));
        try (RedisMetricStore shortLived = store(this.prefix, Duration.ofSeconds(1))) {
            shortLived.publish(record("worker-2"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (this.server.run((redis) -> redis.exists(key("worker:worker-2"))) > 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
        this.store.publish(record("worker-1"));
        assertThat(workerIds(this.store)).containsExactly("worker-1");
        Set<String> index = this.server.run((redis) -> redis.smembers(key("workers")));
        assertThat(index).containsExactly("worker-1");
    }

    @Test
    void removeDeletesTheWorker() {
        this.store.publish(record("worker-1"));
        this.store.publish(record("worker-2"));
        this.store.remove("worker-1");
        assertThat(workerIds(this.store)).containsExactly("worker-2");
        long exists = this.server.run((redis) -> redis.exists(key("worker:worker-1")));
        assertThat(exists).isZero();
    }

    @Test
    void skipsAForeignRecordWithOneWarningAndStillReadsTheOthers(CapturedOutput output) {
        this.store.publish(record("worker-1"));
        this.server.run((redis) -> redis.set(key("worker:intruder"), "not a worker record"));
        this.server.run((redis) -> redis.sadd(key("workers"), "intruder"));
        assertThat(workerIds(this.store)).containsExactly("worker-1");
        assertThat(workerIds(this.store)).containsExactly("worker-1");
        assertThat(output).containsOnlyOnce("Skipping the record of worker 'intruder'");
    }

    @Test
    void readAllOfAnEmptyStoreIsEmpty() {
        assertThat(this.store.readAll()).isEmpty();
    }

    @Test
    void claimsTheWorkerIdWithTheRecordAndRefusesItToAnotherLifeWhileItsProcessOnThisHostRuns() {
        WorkerLife running = thisProcess("host-a");
        WorkerRecord mine = new WorkerRecord("w", running.pid(), running.startTimeMillis(), 2000, WorkerState.RUNNING,
                null, new byte[] { 1 });
        this.store.publish(mine, running);
        String owner = this.server.run((redis) -> redis.get("{" + this.prefix + "}:owner:w"));
        assertThat(owner).isEqualTo(running.token() + " 2000");
        try (RedisMetricStore other = store(this.prefix, TTL)) {
            WorkerLife later = new WorkerLife(running.pid() + 1, "host-a", 3000);
            assertThatExceptionOfType(WorkerIdConflictException.class).isThrownBy(() -> other.publish(
                    new WorkerRecord("w", later.pid(), 3000, 3000, WorkerState.RUNNING, null, new byte[] { 2 }), later))
                .satisfies((ex) -> assertThat(ex.getHolder()).isEqualTo(running));
        }
        assertThat(this.store.readAll()).containsExactly(mine);
    }

    @Test
    void takesOverAtOnceTheWorkerIdOfAProcessOfThisHostThatEndedEvenByKillMinus9() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        WorkerLife ended = new WorkerLife(dead.pid(), "host-a", 1000);
        this.store.publish(new WorkerRecord("w", dead.pid(), 1000, 2000, WorkerState.RUNNING, null, new byte[] { 1 }),
                ended);
        try (RedisMetricStore other = store(this.prefix, TTL)) {
            WorkerLife next = thisProcess("host-a");
            WorkerRecord restarted = new WorkerRecord("w", next.pid(), next.startTimeMillis(), 3000,
                    WorkerState.RUNNING, null, new byte[] { 2 });
            other.publish(restarted, next);
            assertThat(other.readAll()).containsExactly(restarted);
        }
    }

    @Test
    void aClaimOfAnotherHostIsAConflictOnceItsHolderPublishesAgainAndFreeOnceItExpires() {
        WorkerLife remote = new WorkerLife(7, "host-b", 1000);
        WorkerLife local = thisProcess("host-a");
        WorkerRecord mine = new WorkerRecord("w", local.pid(), local.startTimeMillis(), 2000, WorkerState.RUNNING, null,
                new byte[] { 2 });
        try (RedisMetricStore claiming = store(this.prefix, TTL, Duration.ofMillis(500))) {
            claiming.publish(new WorkerRecord("w", 7, 1000, 1000, WorkerState.RUNNING, null, new byte[] { 1 }), remote);
            // Maybe ended: nothing published until it tells.
            assertThatExceptionOfType(StoreException.class).isThrownBy(() -> this.store.publish(mine, local))
                .isNotInstanceOf(WorkerIdConflictException.class)
                .withMessageContaining("still held by " + remote);
            claiming.publish(new WorkerRecord("w", 7, 1000, 1100, WorkerState.RUNNING, null, new byte[] { 1 }), remote);
            assertThatExceptionOfType(WorkerIdConflictException.class).isThrownBy(() -> this.store.publish(mine, local))
                .satisfies((ex) -> assertThat(ex.getHolder()).isEqualTo(remote));
            // Its claim expires after the claim timeout without a publish.
            await().atMost(Duration.ofSeconds(30))
                .ignoreExceptionsInstanceOf(StoreException.class)
                .untilAsserted(() -> {
                    this.store.publish(mine, local);
                    assertThat(this.store.readAll()).containsExactly(mine);
                });
        }
    }

    @Test
    void closeReleasesTheClaimsOfTheStore() {
        WorkerLife remote = new WorkerLife(7, "host-b", 1000);
        try (RedisMetricStore claiming = store(this.prefix, TTL)) {
            claiming.publish(
                    new WorkerRecord("w", 7, 1000, 1000, WorkerState.STOPPED, StopReason.TERM, new byte[] { 1 }),
                    remote);
        }
        WorkerLife local = thisProcess("host-a");
        WorkerRecord next = new WorkerRecord("w", local.pid(), local.startTimeMillis(), 2000, WorkerState.RUNNING, null,
                new byte[] { 2 });
        this.store.publish(next, local);
        assertThat(this.store.readAll()).containsExactly(next);
    }

    private static WorkerLife thisProcess(String host) {
        ProcessHandle self = ProcessHandle.current();
        return new WorkerLife(self.pid(), host, self.info().startInstant().orElseThrow().toEpochMilli());
    }

    private RedisMetricStore store(String keyPrefix, Duration ttl, Duration claimTimeout) {
        return RedisMetricStore.connect(endpoint(this.server), null, keyPrefix, ttl, claimTimeout);
    }

    private RedisMetricStore store(String keyPrefix, Duration ttl) {
        return RedisMetricStore.connect(endpoint(this.server), keyPrefix, ttl);
    }

    static RedisEndpoint endpoint(RedisServerSupport server) {
        return new RedisEndpoint(server.host(), server.port(), 0, null, null, false, Duration.ofSeconds(2));
    }

    static WorkerRecord record(String workerId) {
        return new WorkerRecord(workerId, 42, 1000, System.currentTimeMillis(), WorkerState.RUNNING, null,
                new byte[] { 1 });
    }

    static List<String> workerIds(RedisMetricStore store) {
        return store.readAll().stream().map(WorkerRecord::workerId).toList();
    }

    private long ttl(String suffix) {
        return this.server.run((redis) -> redis.ttl(key(suffix)));
    }

    private String key(String suffix) {
        return "{" + this.prefix + "}:" + suffix;
    }

}
