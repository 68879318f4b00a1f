package io.github.workerexporter.storage.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A {@link MetricStore} in Redis, over any {@link RedisConnectionFactory} (standalone,
 * Sentinel or Cluster; see {@link RedisKeys} for the keys).
 * <ul>
 * <li>{@link #publish}: one pipelined round trip of {@code HSET} (all fields at once, so
 * a reader never sees half a record), {@code HDEL} of the stop reason while the worker
 * runs, {@code SADD} to the index and, unless the time to live is zero, {@code EXPIRE} of
 * both keys.</li>
 * <li>{@link #readAll}: two round trips, {@code SMEMBERS} of the index then one pipeline
 * of {@code HMGET} per worker, whatever the size of the database (a keyspace {@code SCAN}
 * would walk all of it, and {@code KEYS} would block the server); a third, {@code SREM},
 * drops the ids whose record has expired.</li>
 * </ul>
 * Failures surface as {@link StoreException}s whose message names the store's location,
 * never a password.
 *
 * @author Worker Exporter
 */
public final class RedisMetricStore implements MetricStore {

    private final RedisConnectionFactory connectionFactory;

    private final String location;

    private final RedisKeys keys;

    private final long ttlSeconds;

    private final @Nullable LettuceConnectionFactory ownedFactory;

    /**
     * Create a store over a connection factory that the caller owns.
     * @param connectionFactory the connection factory
     * @param location where Redis is, for messages ({@code host:port}), without a
     * password
     * @param keyPrefix the prefix of every key, not empty, may contain {@code ':'}
     * @param ttl how long a worker's record lives after its last publish; zero for ever
     */
    public RedisMetricStore(RedisConnectionFactory connectionFactory, String location, String keyPrefix, Duration ttl) {
        this(connectionFactory, location, keyPrefix, ttl, null);
    }

    private RedisMetricStore(RedisConnectionFactory connectionFactory, String location, String keyPrefix, Duration ttl,
            @Nullable LettuceConnectionFactory ownedFactory) {
        this.connectionFactory = connectionFactory;
        this.location = location;
        this.keys = new RedisKeys(keyPrefix);
        this.ttlSeconds = ttl.toSeconds();
        this.ownedFactory = ownedFactory;
    }

    /**
     * Create a store with a connection factory of its own, destroyed on {@link #close()}.
     * Nothing connects until the first command, so a Redis that is down does not fail the
     * caller.
     * @param endpoint the Redis server
     * @param keyPrefix the prefix of every key, not empty, may contain {@code ':'}
     * @param ttl how long a worker's record lives after its last publish; zero for ever
     * @return the store
     */
    public static RedisMetricStore connect(RedisEndpoint endpoint, String keyPrefix, Duration ttl) {
        LettuceConnectionFactory factory = endpoint.createConnectionFactory();
        factory.afterPropertiesSet();
        factory.start();
        return new RedisMetricStore(factory, endpoint.toString(), keyPrefix, ttl, factory);
    }

    @Override
    public String name() {
        return "redis";
    }

    /**
     * Where Redis is, as given at creation, for logs and health.
     * @return the location, without a password
     */
    public String location() {
        return this.location;
    }

    @Override
    public void publish(WorkerRecord record) {
        byte[] id = RedisKeys.bytes(record.workerId());
        byte[] key = this.keys.worker(id);
        execute("publish worker " + record.workerId(), (connection) -> {
            connection.openPipeline();
            connection.hashCommands().hMSet(key, RedisRecords.fields(record));
            if (record.stopReason() == null) {
                connection.hashCommands().hDel(key, RedisRecords.STOP_REASON);
            }
            connection.setCommands().sAdd(this.keys.index(), id);
            if (this.ttlSeconds > 0) {
                connection.keyCommands().expire(key, this.ttlSeconds);
                connection.keyCommands().expire(this.keys.index(), this.ttlSeconds);
            }
            return connection.closePipeline();
        });
    }

    @Override
    public List<WorkerRecord> readAll() {
        return execute("read the workers", (connection) -> {
            Set<byte[]> ids = connection.setCommands().sMembers(this.keys.index());
            if (ids == null || ids.isEmpty()) {
                return List.of();
            }
            List<byte[]> ordered = new ArrayList<>(ids);
            connection.openPipeline();
            ordered.forEach((id) -> connection.hashCommands().hMGet(this.keys.worker(id), RedisRecords.FIELDS));
            List<Object> replies = connection.closePipeline();
            List<WorkerRecord> records = new ArrayList<>(ordered.size());
            List<byte[]> expired = new ArrayList<>();
            for (int i = 0; i < ordered.size(); i++) {
                WorkerRecord record = RedisRecords.record(ordered.get(i), replies.get(i));
                if (record != null) {
                    records.add(record);
                }
                else {
                    expired.add(ordered.get(i));
                }
            }
            if (!expired.isEmpty()) {
                connection.setCommands().sRem(this.keys.index(), expired.toArray(byte[][]::new));
            }
            return records;
        });
    }

    @Override
    public void remove(String workerId) {
        byte[] id = RedisKeys.bytes(workerId);
        execute("remove worker " + workerId, (connection) -> {
            connection.openPipeline();
            connection.keyCommands().del(this.keys.worker(id));
            connection.setCommands().sRem(this.keys.index(), id);
            return connection.closePipeline();
        });
    }

    @Override
    public void close() {
        if (this.ownedFactory != null) {
            this.ownedFactory.destroy();
        }
    }

    private <T> T execute(String action, Function<RedisConnection, T> callback) {
        try (RedisConnection connection = this.connectionFactory.getConnection()) {
            return callback.apply(connection);
        }
        catch (DataAccessException ex) {
            throw new StoreException("Redis at " + this.location + ": cannot " + action + ": " + ex.getMessage(), ex);
        }
    }

}
