package io.github.workerexporter.storage.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerIdConflictException;
import io.github.workerexporter.storage.WorkerLife;
import io.github.workerexporter.storage.WorkerRecord;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A {@link MetricStore} in Redis, over any {@link RedisConnectionFactory} (standalone,
 * Sentinel or Cluster; {@link RedisKeys} shows the keys, {@link RedisRecords} a value).
 * <ul>
 * <li>{@link #publish}: one command, one round trip: a script that sets the worker's key
 * and adds the worker to the index, with the time to live on both, and (with a life)
 * claims the worker id for that life first, refusing it to another live one. Spring
 * Data's pipelines would open a dedicated connection each time; a script runs on the
 * shared one, atomically.</li>
 * <li>{@link #readAll}: {@code SMEMBERS} of the index then an {@code MGET} of every
 * worker's key per {@value #MGET_BATCH} workers, whatever the size of the database (a
 * keyspace {@code SCAN} would walk all of it, {@code KEYS} would block the server); a
 * third, {@code SREM}, drops the ids whose key has expired. They go over a connection of
 * their own ({@link RedisReadConnection}), so that a flush in the same process never
 * waits behind a scrape's reply of every record. Over Lettuce, the values of a batch are
 * copied into an arena that the next batch reuses ({@link RedisValues}), and a reader of
 * {@link #readAll(Function)} decodes each record there: a scrape allocates no array per
 * record.</li>
 * </ul>
 * Failures surface as {@link StoreException}s whose message names the store's location,
 * never a password.
 *
 * @author Worker Exporter
 */
public final class RedisMetricStore implements MetricStore {

    /**
     * KEYS: the worker's key, the index, the owner key. ARGV: the worker id, the record,
     * the time to live in seconds, the claiming life's token ({@code ""}: no claim), the
     * owner's time to live in millis, the claim's stamp, the owner value that may be
     * replaced ({@code ""}: none). Answers {@code ""} once written, else the owner value
     * of the live life that holds the id, and writes nothing.
     */
    private static final byte[] PUBLISH = RedisKeys.bytes("""
            if ARGV[4] ~= '' then
              local owner = redis.call('GET', KEYS[3])
              if owner and owner ~= ARGV[7] and string.sub(owner, 1, #ARGV[4] + 1) ~= ARGV[4] .. ' ' then
                return owner
              end
              redis.call('SET', KEYS[3], ARGV[4] .. ' ' .. ARGV[6], 'PX', ARGV[5])
            end
            local ttl = tonumber(ARGV[3])
            if ttl > 0 then
              redis.call('SET', KEYS[1], ARGV[2], 'EX', ttl)
              redis.call('SADD', KEYS[2], ARGV[1])
              redis.call('EXPIRE', KEYS[2], ttl)
            else
              redis.call('SET', KEYS[1], ARGV[2])
              redis.call('SADD', KEYS[2], ARGV[1])
              redis.call('PERSIST', KEYS[2])
            end
            return ''
            """);

    /**
     * KEYS: the owner key. ARGV: the life's token. Deletes the claim if the life holds
     * it.
     */
    private static final byte[] RELEASE = RedisKeys.bytes("""
            local owner = redis.call('GET', KEYS[1])
            if owner and string.sub(owner, 1, #ARGV[1] + 1) == ARGV[1] .. ' ' then
              redis.call('DEL', KEYS[1])
            end
            return 1
            """);

    private static final byte[] NONE = new byte[0];

    /**
     * Workers per {@code MGET} of a scrape. Redis runs one command at a time and builds a
     * command's whole reply before the next: a flush that arrives during a scrape waits
     * for one batch's reply (about 3 MB at 200 series per worker), not the fleet's.
     */
    static final int MGET_BATCH = 128;

    private static final Logger logger = LoggerFactory.getLogger(RedisMetricStore.class);

    private static final Duration DEFAULT_CLAIM_TIMEOUT = Duration.ofSeconds(15);

    private final Set<String> undecodable = ConcurrentHashMap.newKeySet();

    private final RedisConnectionFactory connectionFactory;

    private final String location;

    private final RedisKeys keys;

    private final byte[] ttlSeconds;

    private final byte[] ownerMillis;

    private final Map<String, String> heldBy = new ConcurrentHashMap<>();

    private final Map<String, String> replaceable = new ConcurrentHashMap<>();

    private final Map<String, String> claimed = new ConcurrentHashMap<>();

    private final @Nullable LettuceConnectionFactory ownedFactory;

    private final RedisReadConnection reads;

    private final AtomicReference<@Nullable RedisValues> arena = new AtomicReference<>();

    /**
     * Create a store over a connection factory that the caller owns.
     * @param connectionFactory the connection factory
     * @param location where Redis is, for messages ({@code host:port}), without a
     * password
     * @param keyPrefix the prefix of every key, not empty, may contain {@code ':'}
     * @param ttl how long a worker's record lives after its last publish; zero for ever
     */
    public RedisMetricStore(RedisConnectionFactory connectionFactory, String location, String keyPrefix, Duration ttl) {
        this(connectionFactory, location, keyPrefix, ttl, DEFAULT_CLAIM_TIMEOUT, null);
    }

    /**
     * Create a store over a connection factory that the caller owns.
     * @param connectionFactory the connection factory
     * @param location where Redis is, for messages ({@code host:port}), without a
     * password
     * @param keyPrefix the prefix of every key, not empty, may contain {@code ':'}
     * @param ttl how long a worker's record lives after its last publish; zero for ever
     * @param claimTimeout how long a worker id stays claimed after its holder's last
     * publish (the heartbeat timeout)
     */
    public RedisMetricStore(RedisConnectionFactory connectionFactory, String location, String keyPrefix, Duration ttl,
            Duration claimTimeout) {
        this(connectionFactory, location, keyPrefix, ttl, claimTimeout, null);
    }

    private RedisMetricStore(RedisConnectionFactory connectionFactory, String location, String keyPrefix, Duration ttl,
            Duration claimTimeout, @Nullable LettuceConnectionFactory ownedFactory) {
        this.connectionFactory = connectionFactory;
        this.location = location;
        this.keys = new RedisKeys(keyPrefix);
        this.ttlSeconds = RedisKeys.bytes(Long.toString(ttl.toSeconds()));
        this.ownerMillis = RedisKeys.bytes(Long.toString(Math.max(1, claimTimeout.toMillis())));
        this.ownedFactory = ownedFactory;
        this.reads = new RedisReadConnection(connectionFactory);
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
        return connect(endpoint, null, keyPrefix, ttl);
    }

    /**
     * Open a store over a connection of its own, over TLS with an SSL bundle's material.
     * @param endpoint where Redis is
     * @param sslBundle the SSL bundle, or {@code null}
     * @param keyPrefix the key prefix
     * @param ttl the time to live of a worker's keys, zero for none
     * @return the store, which closes its connection factory on {@link #close()}
     */
    public static RedisMetricStore connect(RedisEndpoint endpoint, @Nullable SslBundle sslBundle, String keyPrefix,
            Duration ttl) {
        return connect(endpoint, sslBundle, keyPrefix, ttl, DEFAULT_CLAIM_TIMEOUT);
    }

    /**
     * Open a store over a connection of its own, over TLS with an SSL bundle's material.
     * @param endpoint where Redis is
     * @param sslBundle the SSL bundle, or {@code null}
     * @param keyPrefix the key prefix
     * @param ttl the time to live of a worker's keys, zero for none
     * @param claimTimeout how long a worker id stays claimed after its holder's last
     * publish (the heartbeat timeout)
     * @return the store, which closes its connection factory on {@link #close()}
     */
    public static RedisMetricStore connect(RedisEndpoint endpoint, @Nullable SslBundle sslBundle, String keyPrefix,
            Duration ttl, Duration claimTimeout) {
        LettuceConnectionFactory factory = endpoint.createConnectionFactory(sslBundle);
        factory.afterPropertiesSet();
        factory.start();
        return new RedisMetricStore(factory, endpoint.toString(), keyPrefix, ttl, claimTimeout, factory);
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
        eval(record, NONE, NONE, NONE);
    }

    /**
     * {@inheritDoc}
     * <p>
     * In the same round trip as the record, the script claims the id under
     * {@code {prefix}:owner:<id>}, which holds the life's token and the record's
     * heartbeat for the claim timeout (the heartbeat timeout), refreshed by each publish.
     * Another life's claim means: a process of this host that no longer runs (its pid is
     * gone or started at another time): ended, taken over at once; one that runs: a
     * conflict; a process of another host: a conflict as soon as its claim changes (it
     * published), taken over when its claim expires, and until either this life publishes
     * nothing.
     */
    @Override
    public void publish(WorkerRecord record, WorkerLife life) {
        String workerId = record.workerId();
        for (int attempt = 0; attempt < 2; attempt++) {
            byte[] replaceable = RedisKeys.bytes(this.replaceable.getOrDefault(workerId, ""));
            byte[] held = eval(record, RedisKeys.bytes(life.token()),
                    RedisKeys.bytes(Long.toString(record.heartbeatMillis())), replaceable);
            if (held.length == 0) {
                this.claimed.put(workerId, life.token());
                this.heldBy.remove(workerId);
                this.replaceable.remove(workerId);
                return;
            }
            String owner = new String(held, StandardCharsets.UTF_8);
            int space = owner.lastIndexOf(' ');
            WorkerLife holder = WorkerLife.parse((space > 0) ? owner.substring(0, space) : owner);
            String previous = this.heldBy.put(workerId, owner);
            if (holder != null && holder.endedOn(life.host())) {
                logger.info("Worker id '{}' in Redis at {} was held by {}, which has ended: taken over", workerId,
                        this.location, holder);
                this.replaceable.put(workerId, owner);
                continue;
            }
            if ((holder != null && holder.host().equals(life.host()))
                    || (previous != null && !previous.equals(owner))) {
                throw new WorkerIdConflictException(workerId, holder, "Redis at " + this.location);
            }
            throw new StoreException("Redis at " + this.location + ": worker id '" + workerId + "' is still held by "
                    + ((holder != null) ? holder : owner) + ", which may have ended: nothing is published under it"
                    + " until that process publishes (then both share the id, a conflict) or its claim expires");
        }
        throw new StoreException(
                "Redis at " + this.location + ": worker id '" + workerId + "' could not be taken over");
    }

    private byte[] eval(WorkerRecord record, byte[] token, byte[] stamp, byte[] replaceable) {
        byte[] id = RedisKeys.bytes(record.workerId());
        byte[] held = execute("publish worker " + record.workerId(), (connection) -> connection.scriptingCommands()
            .eval(PUBLISH, ReturnType.VALUE, 3, this.keys.worker(id), this.keys.index(), this.keys.owner(id), id,
                    RedisRecords.encode(record), this.ttlSeconds, token, this.ownerMillis, stamp, replaceable));
        return (held != null) ? held : NONE;
    }

    @Override
    public List<WorkerRecord> readAll() {
        return read(RedisValues.owned(), Function.identity());
    }

    /**
     * {@inheritDoc}
     * <p>
     * Over Lettuce, each {@code MGET}'s values are copied as they arrive into an arena
     * ({@link RedisValues}) that the next {@code MGET} overwrites: the reader gets the
     * records of a batch, their metrics a view of the arena, before the next batch is
     * read. The store keeps one arena between reads and lends it to one read at a time; a
     * read that starts while it is lent (a concurrent scrape, a nested read) gets one of
     * its own, so reads never wait for each other, and a read that fails does not give
     * its arena back (a reply that arrives after a timeout may still write into it).
     */
    @Override
    public <T> List<T> readAll(Function<? super WorkerRecord, ? extends T> reader) {
        RedisValues lent = this.arena.getAndSet(null);
        RedisValues values = (lent != null) ? lent : RedisValues.reused();
        List<T> read = read(values, reader);
        this.arena.compareAndSet(null, values);
        return read;
    }

    private <T> List<T> read(RedisValues values, Function<? super WorkerRecord, ? extends T> reader) {
        try {
            return this.reads.read((reads) -> read(reads, values, reader));
        }
        catch (DataAccessException ex) {
            throw failure("read the workers", ex);
        }
    }

    private <T> List<T> read(RedisReadConnection.Reads reads, RedisValues values,
            Function<? super WorkerRecord, ? extends T> reader) {
        Collection<byte[]> ids = reads.members(this.keys.index());
        if (ids.isEmpty()) {
            return List.of();
        }
        List<byte[]> ordered = new ArrayList<>(ids);
        List<T> read = new ArrayList<>(ordered.size());
        List<byte[]> expired = new ArrayList<>();
        byte[][] batch = new byte[Math.min(ordered.size(), MGET_BATCH)][];
        for (int from = 0; from < ordered.size(); from += MGET_BATCH) {
            int to = Math.min(ordered.size(), from + MGET_BATCH);
            if (to - from < batch.length) {
                batch = new byte[to - from][];
            }
            for (int i = from; i < to; i++) {
                batch[i - from] = this.keys.worker(ordered.get(i));
            }
            reads.values(batch, values);
            for (int i = from; i < to; i++) {
                if (values.missing(i - from)) {
                    expired.add(ordered.get(i));
                    continue;
                }
                WorkerRecord record = decode(new String(ordered.get(i), StandardCharsets.UTF_8), values, i - from);
                if (record != null) {
                    read.add(reader.apply(record));
                }
            }
        }
        // Without a reference to the last batch's values (their own arrays).
        values.clear(0);
        if (!expired.isEmpty()) {
            reads.remove(this.keys.index(), expired.toArray(byte[][]::new));
        }
        return read;
    }

    /**
     * Decode one worker's record; a corrupt or foreign one is skipped, with one WARN per
     * worker id, so that one bad key never fails the scrape.
     */
    private @Nullable WorkerRecord decode(String workerId, RedisValues values, int index) {
        try {
            WorkerRecord record = RedisRecords.decode(workerId, values.array(index), values.offset(index),
                    values.length(index));
            this.undecodable.remove(workerId);
            return record;
        }
        catch (StoreException ex) {
            if (this.undecodable.add(workerId)) {
                logger.warn("Skipping the record of worker '{}' in Redis at {}: {}", workerId, this.location,
                        ex.getMessage());
            }
            else {
                logger.debug("Skipping the record of worker '{}' again: {}", workerId, ex.getMessage());
            }
            return null;
        }
    }

    /**
     * Remove a worker's data (no production caller: not part of {@link MetricStore}).
     * @param workerId the worker
     */
    public void remove(String workerId) {
        byte[] id = RedisKeys.bytes(workerId);
        execute("remove worker " + workerId, (connection) -> {
            connection.keyCommands().del(this.keys.worker(id), this.keys.owner(id));
            return connection.setCommands().sRem(this.keys.index(), id);
        });
    }

    /**
     * Release the claims of this store's lives, so that the next life of an id need not
     * wait for them to expire, then close the connection factory if this store owns it.
     */
    @Override
    public void close() {
        this.claimed.forEach((workerId, token) -> {
            try {
                byte[] id = RedisKeys.bytes(workerId);
                execute("release worker " + workerId, (connection) -> connection.scriptingCommands()
                    .eval(RELEASE, ReturnType.INTEGER, 1, this.keys.owner(id), RedisKeys.bytes(token)));
            }
            catch (RuntimeException ex) {
                // Closing never throws: the claim expires on its own.
                logger.debug("Cannot release the claim of worker id '{}'", workerId, ex);
            }
        });
        this.claimed.clear();
        this.reads.close();
        if (this.ownedFactory != null) {
            this.ownedFactory.destroy();
        }
    }

    /**
     * The connections of this store, for {@link RedisSharedValue}.
     */
    RedisConnectionFactory connectionFactory() {
        return this.connectionFactory;
    }

    /**
     * The keys of this store, for {@link RedisSharedValue}.
     */
    RedisKeys keys() {
        return this.keys;
    }

    private <T> T execute(String action, Function<RedisConnection, T> callback) {
        try (RedisConnection connection = this.connectionFactory.getConnection()) {
            return callback.apply(connection);
        }
        catch (DataAccessException ex) {
            throw failure(action, ex);
        }
    }

    private StoreException failure(String action, DataAccessException ex) {
        return new StoreException("Redis at " + this.location + ": cannot " + action + ": " + reason(ex), ex);
    }

    /**
     * The message of a failure with the message of its root cause, Redis's own error
     * ({@code OOM}, {@code WRONGPASS}, {@code NOPERM}; Redis never repeats a password), a
     * refused connection or a failed TLS handshake: Spring Data's alone can be as vague
     * as "Unable to connect to Redis" or "Error in execution".
     */
    private static String reason(DataAccessException ex) {
        String message = String.valueOf(ex.getMessage());
        String cause = ex.getMostSpecificCause().getMessage();
        return (ex.getMostSpecificCause() != ex && cause != null && !message.contains(cause)) ? message + ": " + cause
                : message;
    }

}
