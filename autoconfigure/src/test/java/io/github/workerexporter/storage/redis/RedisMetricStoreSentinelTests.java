package io.github.workerexporter.storage.redis;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static io.github.workerexporter.storage.redis.RedisMetricStoreTests.record;
import static io.github.workerexporter.storage.redis.RedisMetricStoreTests.workerIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link RedisMetricStore} behind Redis Sentinel: a master and one sentinel on
 * loopback, reached through the connection factory that Spring Boot builds for an
 * application from {@code spring.data.redis.sentinel.*}.
 *
 * @author Worker Exporter
 */
class RedisMetricStoreSentinelTests {

    private static final String MASTER_NAME = "mymaster";

    private static @Nullable RedisServerSupport master;

    private static @Nullable RedisServerSupport sentinel;

    /** Why there is no sentinel, if there is none. */
    private static String unavailable = "no sentinel";

    @TempDir
    static Path dir;

    @BeforeAll
    static void startMasterAndSentinel() throws IOException {
        master = RedisServerSupport.start();
        Path config = dir.resolve("sentinel.conf");
        Files.writeString(config, "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + master.port() + " 1\n"
                + "sentinel down-after-milliseconds " + MASTER_NAME + " 1000\n");
        try {
            sentinel = RedisServerSupport.startWithConfigFile(config, "--sentinel");
        }
        catch (IllegalStateException ex) {
            // Each test is then skipped with this reason (running), not left out.
            unavailable = "redis-server cannot run as a sentinel: " + ex.getMessage();
        }
    }

    @AfterAll
    static void stopMasterAndSentinel() {
        try {
            if (sentinel != null) {
                sentinel.close();
            }
        }
        finally {
            if (master != null) {
                master.close();
            }
        }
    }

    @Test
    void publishesAndReadsThroughTheApplicationsSentinelConnectionFactory() {
        RedisServerSupport master = running(RedisMetricStoreSentinelTests.master);
        RedisServerSupport sentinel = running(RedisMetricStoreSentinelTests.sentinel);
        String prefix = "sentinel:" + UUID.randomUUID();
        new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(DataRedisAutoConfiguration.class, WorkerExporterAutoConfiguration.class))
            .withPropertyValues("exporter.redis.enabled=true", "exporter.redis.key-prefix=" + prefix,
                    "spring.data.redis.sentinel.master=" + MASTER_NAME,
                    "spring.data.redis.sentinel.nodes=127.0.0.1:" + sentinel.port(), "spring.data.redis.timeout=5s")
            .run((context) -> {
                assertThat(context).hasNotFailed().hasSingleBean(RedisMetricStore.class);
                LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
                assertThat(factory.getSentinelConfiguration()).isNotNull();
                RedisMetricStore store = context.getBean(RedisMetricStore.class);
                assertThat(store.location()).isEqualTo("sentinel master " + MASTER_NAME);
                store.publish(record("worker-1"));
                store.publish(record("worker-2"));
                assertThat(workerIds(store)).containsExactlyInAnyOrder("worker-1", "worker-2");
                String tag = "{" + prefix + "}";
                master.run((redis) -> {
                    assertThat(redis.smembers(tag + ":workers")).containsExactlyInAnyOrder("worker-1", "worker-2");
                    assertThat(redis.exists(tag + ":worker:worker-1", tag + ":worker:worker-2")).isEqualTo(2);
                    return null;
                });
                store.remove("worker-1");
                assertThat(workerIds(store)).containsExactly("worker-2");
                Set<String> left = master.run((redis) -> redis.smembers(tag + ":workers"));
                assertThat(left).containsExactly("worker-2");
            });
    }

    @Test
    void theSentinelNamesTheMasterTheKeysLandOn() {
        RedisServerSupport master = running(RedisMetricStoreSentinelTests.master);
        RedisServerSupport sentinel = running(RedisMetricStoreSentinelTests.sentinel);
        RedisClient client = RedisClient.create(RedisURI.create(sentinel.host(), sentinel.port()));
        try (StatefulRedisSentinelConnection<String, String> connection = client.connectSentinel()) {
            assertThat(connection.sync().getMasterAddrByName(MASTER_NAME))
                .isInstanceOfSatisfying(InetSocketAddress.class, (address) -> {
                    assertThat(address.getHostString()).isEqualTo("127.0.0.1");
                    assertThat(address.getPort()).isEqualTo(master.port());
                });
        }
        finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    private static RedisServerSupport running(@Nullable RedisServerSupport server) {
        assumeTrue(server != null, () -> unavailable);
        return server;
    }

}
