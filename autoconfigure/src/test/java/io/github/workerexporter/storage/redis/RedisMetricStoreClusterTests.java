package io.github.workerexporter.storage.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.WorkerRecord;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static io.github.workerexporter.storage.redis.RedisMetricStoreTests.record;
import static io.github.workerexporter.storage.redis.RedisMetricStoreTests.workerIds;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisMetricStore} on a Redis Cluster of three masters on loopback,
 * through the kind of connection factory an application configures with
 * {@code spring.data.redis.cluster.nodes}.
 *
 * @author Worker Exporter
 */
class RedisMetricStoreClusterTests {

    private final List<RedisServerSupport> nodes = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stopNodes() {
        this.nodes.forEach(RedisServerSupport::close);
    }

    @Test
    void publishesAndReadsAllWorkersThroughACluster() throws InterruptedException {
        startCluster();
        RedisClusterConfiguration cluster = new RedisClusterConfiguration(
                this.nodes.stream().map((node) -> node.host() + ":" + node.port()).toList());
        LettuceConnectionFactory factory = new LettuceConnectionFactory(cluster);
        factory.afterPropertiesSet();
        factory.start();
        try (RedisMetricStore store = new RedisMetricStore(factory, "cluster", "gunicorn:app", Duration.ofMinutes(5));
                RedisMetricStore other = new RedisMetricStore(factory, "cluster", "gunicorn:app",
                        Duration.ofMinutes(5))) {
            store.publish(record("worker-1"));
            other.publish(record("worker-2"));
            assertThat(workerIds(store)).containsExactlyInAnyOrder("worker-1", "worker-2");
            store.remove("worker-1");
            assertThat(workerIds(other)).containsExactly("worker-2");
        }
        finally {
            factory.destroy();
        }
    }

    @Test
    void readsAFleetLargerThanOneBatchThroughAClusterForAReaderAsForReadAll() throws InterruptedException {
        startCluster();
        RedisClusterConfiguration cluster = new RedisClusterConfiguration(
                this.nodes.stream().map((node) -> node.host() + ":" + node.port()).toList());
        LettuceConnectionFactory factory = new LettuceConnectionFactory(cluster);
        factory.afterPropertiesSet();
        factory.start();
        try (RedisMetricStore store = new RedisMetricStore(factory, "cluster", "gunicorn:app", Duration.ofMinutes(5))) {
            List<WorkerRecord> fleet = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                WorkerRecord record = new WorkerRecord("worker-" + i, i, 1000, 2000 + i, WorkerState.RUNNING, null,
                        new byte[] { (byte) i, (byte) (i >> 8), 7 });
                store.publish(record);
                fleet.add(record);
            }
            for (int scrape = 0; scrape < 2; scrape++) {
                assertThat(store.readAll(RedisMetricStoreReaderTests::copy)).containsExactlyInAnyOrderElementsOf(fleet);
            }
            assertThat(store.readAll()).containsExactlyInAnyOrderElementsOf(fleet);
        }
        finally {
            factory.destroy();
        }
    }

    private void startCluster() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            this.nodes.add(RedisServerSupport.start("--cluster-enabled", "yes", "--cluster-config-file",
                    this.dir.resolve("nodes-" + i + ".conf").toString()));
        }
        int[][] slots = { { 0, 5460 }, { 5461, 10922 }, { 10923, 16383 } };
        for (int i = 0; i < 3; i++) {
            int[] range = IntStream.rangeClosed(slots[i][0], slots[i][1]).toArray();
            RedisServerSupport node = this.nodes.get(i);
            node.run((redis) -> redis.clusterAddSlots(range));
            this.nodes.get(0).run((redis) -> redis.clusterMeet(node.host(), node.port()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!this.nodes.stream().allMatch(RedisMetricStoreClusterTests::clusterIsOk)) {
            assertThat(System.nanoTime()).as("cluster state ok in time").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static boolean clusterIsOk(RedisServerSupport node) {
        String info = node.run((redis) -> redis.clusterInfo());
        return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3");
    }

}
