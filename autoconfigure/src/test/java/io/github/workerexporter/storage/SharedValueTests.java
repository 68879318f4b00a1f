package io.github.workerexporter.storage;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.storage.file.FileSharedValue;
import io.github.workerexporter.storage.redis.RedisEndpoint;
import io.github.workerexporter.storage.redis.RedisMetricStore;
import io.github.workerexporter.storage.redis.RedisServerSupport;
import io.github.workerexporter.storage.redis.RedisSharedValue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the {@link SharedValue}s of the file store, of a real Redis server and of a
 * process: a compare-and-set replaces only the value it expects, and writers that race
 * lose none of one another's changes.
 *
 * @author Worker Exporter
 */
class SharedValueTests {

    @TempDir
    Path dir;

    @Test
    void fileValueReplacesOnlyTheExpectedValue() {
        assertReplacesOnlyTheExpectedValue(new FileSharedValue(this.dir, "test"));
        assertThat(new FileSharedValue(this.dir, "test").get()).containsExactly(2);
    }

    @Test
    void fileValuesOfOneNameLoseNoChangeOfRacingWriters() throws Exception {
        assertRacingWritersLoseNothing(() -> new FileSharedValue(this.dir, "race"));
    }

    @Test
    void redisValueReplacesOnlyTheExpectedValue() {
        try (RedisMetricStore store = redisStore()) {
            assertReplacesOnlyTheExpectedValue(new RedisSharedValue(store, "test"));
        }
    }

    @Test
    void redisValuesOfOneNameLoseNoChangeOfRacingWriters() throws Exception {
        try (RedisMetricStore store = redisStore()) {
            assertRacingWritersLoseNothing(() -> new RedisSharedValue(store, "race"));
        }
    }

    @Test
    void inMemoryValueReplacesOnlyTheExpectedValue() {
        assertReplacesOnlyTheExpectedValue(SharedValue.inMemory());
    }

    private static void assertReplacesOnlyTheExpectedValue(SharedValue value) {
        assertThat(value.get()).isEmpty();
        assertThat(value.compareAndSet(new byte[] { 9 }, new byte[] { 1 })).isFalse();
        assertThat(value.get()).isEmpty();
        assertThat(value.compareAndSet(new byte[0], new byte[] { 1 })).isTrue();
        assertThat(value.compareAndSet(new byte[0], new byte[] { 3 })).isFalse();
        assertThat(value.compareAndSet(new byte[] { 1 }, new byte[] { 2 })).isTrue();
        assertThat(value.get()).containsExactly(2);
    }

    /**
     * Four writers, each with its own instance, add 1 to a shared number 50 times by
     * compare-and-set: the number ends at 200.
     */
    private static void assertRacingWritersLoseNothing(java.util.function.Supplier<SharedValue> values)
            throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                SharedValue value = values.get();
                writers.add(executor.submit(() -> {
                    for (int n = 0; n < 50; n++) {
                        while (true) {
                            byte[] current = value.get();
                            long next = ((current.length == 0) ? 0 : ByteBuffer.wrap(current).getLong()) + 1;
                            if (value.compareAndSet(current, ByteBuffer.allocate(8).putLong(next).array())) {
                                break;
                            }
                        }
                    }
                }));
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
        }
        finally {
            executor.shutdownNow();
        }
        assertThat(ByteBuffer.wrap(values.get().get()).getLong()).isEqualTo(200);
    }

    private static RedisMetricStore redisStore() {
        RedisServerSupport server = RedisServerSupport.shared();
        return RedisMetricStore.connect(
                new RedisEndpoint(server.host(), server.port(), 0, null, null, false, Duration.ofSeconds(2)),
                "shared-value-" + System.nanoTime(), Duration.ofMinutes(1));
    }

}
