package io.github.workerexporter.storage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

/**
 * What {@link SnapshotDecoder} built from a run of encoded bytes (a label set, a family's
 * name, help and unit), found again by those bytes without allocating: a worker's label
 * sets are the same from one flush to the next, so a scrape of a fleet builds each
 * {@code Labels} and {@code MetricMetadata} once instead of once per scrape.
 * <p>
 * Two generations bound what is kept: a value used during the current or the previous
 * generation stays, one unused for a whole generation goes. A generation ends after
 * {@link #GENERATION_NANOS} or at {@link #MAX_ENTRIES} entries, whichever comes first, so
 * the cache holds at most twice the label sets read in two minutes and never more than
 * twice {@link #MAX_ENTRIES}. Not thread-safe: its owner serializes the decoders.
 *
 * @author Worker Exporter
 */
final class SnapshotDecodeCache {

    /**
     * How long a generation lasts: longer than any sensible scrape interval.
     */
    static final long GENERATION_NANOS = 60_000_000_000L;

    /**
     * The most entries of one generation.
     */
    static final int MAX_ENTRIES = 1 << 19;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private static final long MIX = 0x9E3779B97F4A7C15L;

    private final LongSupplier nanoTime;

    private Table current = new Table(64);

    private Table previous = new Table(64);

    private long generationStart;

    SnapshotDecodeCache(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.generationStart = nanoTime.getAsLong();
    }

    /**
     * The value built from bytes {@code [from, to)} of {@code bytes}, or {@code null}.
     */
    @Nullable Object get(byte[] bytes, int from, int to) {
        int hash = hash(bytes, from, to);
        Object value = this.current.get(bytes, from, to, hash);
        if (value == null) {
            value = this.previous.get(bytes, from, to, hash);
            if (value != null) {
                put(bytes, from, to, hash, value);
            }
        }
        return value;
    }

    /**
     * Keep the value built from bytes {@code [from, to)} of {@code bytes}.
     */
    void put(byte[] bytes, int from, int to, Object value) {
        put(bytes, from, to, hash(bytes, from, to), value);
    }

    private void put(byte[] bytes, int from, int to, int hash, Object value) {
        long now = this.nanoTime.getAsLong();
        if (this.current.size >= MAX_ENTRIES || now - this.generationStart > GENERATION_NANOS) {
            this.previous = this.current;
            this.current = new Table(Math.max(64, Integer.highestOneBit(Math.max(1, this.previous.size)) * 2));
            this.generationStart = now;
        }
        this.current.put(Arrays.copyOfRange(bytes, from, to), hash, value);
    }

    int size() {
        return this.current.size + this.previous.size;
    }

    /**
     * A hash of the bytes read eight at a time (a label set is some 20 to 100 bytes), so
     * that finding a label set again costs a few multiplications, not one per byte.
     */
    static int hash(byte[] bytes, int from, int to) {
        long hash = to - from;
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            hash = (hash ^ (long) LONGS.get(bytes, i)) * MIX;
            hash ^= hash >>> 29;
        }
        for (; i < to; i++) {
            hash = (hash ^ bytes[i]) * MIX;
        }
        hash ^= hash >>> 32;
        return (int) (hash ^ (hash >>> 16));
    }

    /**
     * Open addressing, linear probing, power-of-two capacity kept at most half full. Each
     * slot's key and value sit next to each other in one array, so that a lookup of a
     * fleet's hundreds of thousands of label sets reads one line of the table and the
     * key's bytes (three arrays side by side read three lines); the hash is not kept, a
     * probe compares the key's length and bytes.
     */
    private static final class Table {

        private Object[] slots;

        private int size;

        Table(int capacity) {
            this.slots = new Object[2 * capacity];
        }

        @Nullable Object get(byte[] bytes, int from, int to, int hash) {
            Object[] slots = this.slots;
            int mask = (slots.length >> 1) - 1;
            for (int slot = hash & mask;; slot = (slot + 1) & mask) {
                byte[] key = (byte[]) slots[2 * slot];
                if (key == null) {
                    return null;
                }
                if (key.length == to - from && Arrays.equals(key, 0, key.length, bytes, from, to)) {
                    return slots[2 * slot + 1];
                }
            }
        }

        void put(byte[] key, int hash, Object value) {
            if ((this.size + 1) * 4 > this.slots.length) {
                grow();
            }
            if (insert(this.slots, key, hash, value)) {
                this.size++;
            }
        }

        /**
         * Put a key in a table.
         * @return true when it was not there
         */
        private static boolean insert(Object[] slots, byte[] key, int hash, Object value) {
            int mask = (slots.length >> 1) - 1;
            int slot = hash & mask;
            while (slots[2 * slot] != null) {
                if (Arrays.equals((byte[]) slots[2 * slot], key)) {
                    slots[2 * slot + 1] = value;
                    return false;
                }
                slot = (slot + 1) & mask;
            }
            slots[2 * slot] = key;
            slots[2 * slot + 1] = value;
            return true;
        }

        private void grow() {
            Object[] old = this.slots;
            Object[] grown = new Object[old.length * 2];
            for (int i = 0; i < old.length; i += 2) {
                byte[] key = (byte[]) old[i];
                if (key != null) {
                    insert(grown, key, hash(key, 0, key.length), old[i + 1]);
                }
            }
            this.slots = grown;
        }

    }

}
