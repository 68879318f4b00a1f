package io.github.workerexporter.storage.redis;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import io.github.workerexporter.storage.SharedValue;
import io.github.workerexporter.storage.StoreException;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;

/**
 * A {@link SharedValue} in Redis, in the key {@code {prefix}:value:<name>} beside the
 * keys of a {@link RedisMetricStore} (in its hash tag, so on the same Cluster node),
 * without a time to live. A compare-and-set is one script: it compares the key's value
 * with the expected one and sets the new one, atomically, in one round trip.
 *
 * @author Worker Exporter
 */
public final class RedisSharedValue implements SharedValue {

    /**
     * KEYS: the value's key. ARGV: the expected value ({@code ""}: none), the new value.
     * Answers 1 once set, 0 when the value was another.
     */
    private static final byte[] COMPARE_AND_SET = RedisKeys.bytes("""
            local current = redis.call('GET', KEYS[1]) or ''
            if current ~= ARGV[1] then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[2])
            return 1
            """);

    private final RedisMetricStore store;

    private final byte[] key;

    /**
     * Create the value of a name beside a store's keys, over the store's connections.
     * @param store the store
     * @param name the name of the value, such as {@code fleet-remainder}
     */
    public RedisSharedValue(RedisMetricStore store, String name) {
        this.store = store;
        String index = new String(store.keys().index(), StandardCharsets.UTF_8);
        this.key = RedisKeys.bytes(index.substring(0, index.lastIndexOf(':')) + ":value:" + name);
    }

    @Override
    public byte[] get() {
        byte[] value = execute("read", (connection) -> connection.stringCommands().get(this.key));
        return (value != null) ? value : new byte[0];
    }

    @Override
    public boolean compareAndSet(byte[] expected, byte[] next) {
        Long set = execute("write", (connection) -> connection.scriptingCommands()
            .eval(COMPARE_AND_SET, ReturnType.INTEGER, 1, this.key, expected, next));
        return set != null && set == 1;
    }

    private <T> T execute(String action, Function<RedisConnection, T> callback) {
        try (RedisConnection connection = this.store.connectionFactory().getConnection()) {
            return callback.apply(connection);
        }
        catch (DataAccessException ex) {
            throw new StoreException("Redis at " + this.store.location() + ": cannot " + action + " "
                    + new String(this.key, StandardCharsets.UTF_8) + ": " + ex.getMessage(), ex);
        }
    }

}
