package io.github.workerexporter.storage.redis;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceExceptionConverter;

/**
 * The connection a store's scrapes read over, apart from the one its flushes write over,
 * so that a flush never waits behind a scrape's large {@code MGET} in the client. Spring
 * Data's {@link LettuceConnectionFactory} sends every command of every thread down one
 * shared connection, one reply after the other; this opens one more connection with the
 * factory's own Lettuce client (its address, Sentinel or Cluster, credentials, TLS,
 * database, timeouts and options), on the first read, and closes it on {@link #close()}.
 * Any other factory (Jedis) lends each caller a connection of its own already, and so
 * does a Lettuce client without a single address (static master/replica): those read over
 * the factory's connections.
 * <p>
 * Over Lettuce, an {@code MGET}'s values are not decoded by the codec (an array per
 * value, on the event loop): the command's output adds them to {@link RedisValues}, which
 * copies them into its arena as the reply arrives; the scraping thread reads them once
 * the command completed.
 *
 * @author Worker Exporter
 */
final class RedisReadConnection implements AutoCloseable {

    private static final LettuceExceptionConverter exceptions = new LettuceExceptionConverter();

    private final RedisConnectionFactory connectionFactory;

    private @Nullable StatefulConnection<byte[], byte[]> connection;

    private @Nullable RedisClusterCommands<byte[], byte[]> commands;

    private boolean shared;

    RedisReadConnection(RedisConnectionFactory connectionFactory) {
        this.connectionFactory = connectionFactory;
    }

    /**
     * Run reads over the scrape's connection.
     * @param <T> the result
     * @param reads the reads
     * @return their result
     * @throws DataAccessException when Redis cannot be reached or answers an error
     */
    <T> T read(Function<Reads, T> reads) {
        try {
            RedisClusterCommands<byte[], byte[]> own = commands();
            if (own != null) {
                return reads.apply(new LettuceReads(own));
            }
        }
        catch (RedisException ex) {
            DataAccessException translated = exceptions.convert(ex);
            throw (translated != null) ? translated : ex;
        }
        try (RedisConnection shared = this.connectionFactory.getConnection()) {
            return reads.apply(new SpringReads(shared));
        }
    }

    private synchronized @Nullable RedisClusterCommands<byte[], byte[]> commands() {
        if (this.shared) {
            return null;
        }
        StatefulConnection<byte[], byte[]> open = this.connection;
        if (open != null && (open.isOpen() || open.getOptions().isAutoReconnect())) {
            return this.commands;
        }
        if (open != null) {
            open.close();
            this.connection = null;
        }
        AbstractRedisClient client = (this.connectionFactory instanceof LettuceConnectionFactory lettuce)
                ? lettuce.getRequiredNativeClient() : null;
        if (client instanceof RedisClusterClient cluster) {
            StatefulRedisClusterConnection<byte[], byte[]> connected = cluster.connect(ByteArrayCodec.INSTANCE);
            this.connection = connected;
            this.commands = connected.sync();
        }
        else {
            StatefulRedisConnection<byte[], byte[]> connected = (client instanceof RedisClient standalone)
                    ? connect(standalone) : null;
            this.connection = connected;
            this.commands = (connected != null) ? connected.sync() : null;
            this.shared = connected == null;
        }
        return this.commands;
    }

    /**
     * Connect a client created with the address it connects to (standalone, Sentinel, a
     * socket), or answer {@code null} for one given its addresses on each connect (static
     * master/replica).
     */
    private static @Nullable StatefulRedisConnection<byte[], byte[]> connect(RedisClient client) {
        try {
            return client.connect(ByteArrayCodec.INSTANCE);
        }
        catch (IllegalStateException ex) {
            return null;
        }
    }

    @Override
    public synchronized void close() {
        if (this.connection != null) {
            this.connection.close();
            this.connection = null;
            this.commands = null;
        }
    }

    /**
     * The commands of a scrape's read.
     */
    interface Reads {

        Collection<byte[]> members(byte[] key);

        /**
         * Read the values of the keys into {@code values}, cleared first, in the order of
         * the keys.
         */
        void values(byte[][] keys, RedisValues values);

        void remove(byte[] key, byte[][] members);

    }

    private record LettuceReads(RedisClusterCommands<byte[], byte[]> commands) implements Reads {

        @Override
        public Collection<byte[]> members(byte[] key) {
            return this.commands.smembers(key);
        }

        /**
         * An {@code MGET} whose output copies each value into {@code values} on the event
         * loop, as the reply arrives, instead of the codec's array per value. Through a
         * Cluster connection it goes to the node of its first key, which holds them all
         * (they share the store's hash tag).
         */
        @Override
        public void values(byte[][] keys, RedisValues values) {
            values.clear(keys.length);
            this.commands.dispatch(CommandType.MGET, new ValuesOutput(values),
                    new CommandArgs<>(ByteArrayCodec.INSTANCE).addKeys(keys));
        }

        @Override
        public void remove(byte[] key, byte[][] members) {
            this.commands.srem(key, members);
        }

    }

    /**
     * The reply of an {@code MGET}, each value added to {@link RedisValues} as it is
     * decoded.
     */
    private static final class ValuesOutput extends CommandOutput<byte[], byte[], RedisValues> {

        ValuesOutput(RedisValues values) {
            super(ByteArrayCodec.INSTANCE, values);
        }

        @Override
        public void set(@Nullable ByteBuffer bytes) {
            this.output.add(bytes);
        }

    }

    private record SpringReads(RedisConnection connection) implements Reads {

        @Override
        public Collection<byte[]> members(byte[] key) {
            Collection<byte[]> members = this.connection.setCommands().sMembers(key);
            return (members != null) ? members : List.of();
        }

        @Override
        public void values(byte[][] keys, RedisValues values) {
            values.clear(keys.length);
            List<byte[]> read = this.connection.stringCommands().mGet(keys);
            for (int i = 0; i < keys.length; i++) {
                values.add((read != null) ? read.get(i) : null);
            }
        }

        @Override
        public void remove(byte[] key, byte[][] members) {
            this.connection.setCommands().sRem(key, members);
        }

    }

}
