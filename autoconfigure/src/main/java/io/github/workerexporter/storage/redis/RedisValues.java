package io.github.workerexporter.storage.redis;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * The values of one {@code MGET} of a scrape, in the order of its keys, each a range of
 * an array or missing. An arena ({@link #reused()}) copies each value, as the reply
 * arrives, into one array that the next {@code MGET} overwrites: grown to the largest
 * batch, kept between reads, so that a scrape allocates no array per value. Otherwise
 * ({@link #owned()}) each value is an array of its own.
 * <p>
 * Values are added by the thread that decodes the reply (Lettuce's event loop) and read
 * by the scraping thread once the command completed (its future orders the two); one read
 * uses an arena at a time.
 *
 * @author Worker Exporter
 */
final class RedisValues {

    private static final byte[] EMPTY = new byte[0];

    private final boolean reused;

    private byte[] arena = EMPTY;

    private int position;

    private byte @Nullable [][] arrays = new byte[0][];

    private int[] offsets = new int[0];

    private int[] lengths = new int[0];

    private int size;

    private RedisValues(boolean reused) {
        this.reused = reused;
    }

    /**
     * Values copied into an array that the next {@code MGET} reuses.
     * @return the values
     */
    static RedisValues reused() {
        return new RedisValues(true);
    }

    /**
     * Values that are each an array of their own, which the reader may keep.
     * @return the values
     */
    static RedisValues owned() {
        return new RedisValues(false);
    }

    /**
     * Forget the values, before the next {@code MGET}.
     * @param expected how many values it answers
     */
    void clear(int expected) {
        Arrays.fill(this.arrays, 0, this.size, null);
        this.size = 0;
        this.position = 0;
        if (this.offsets.length < expected) {
            this.arrays = new byte[expected][];
            this.offsets = new int[expected];
            this.lengths = new int[expected];
        }
    }

    /**
     * Add the next value, copying it (into the arena, if reused).
     * @param value the value, read up to its limit, or {@code null} for a missing key
     */
    void add(@Nullable ByteBuffer value) {
        if (value == null) {
            add(null, 0, -1);
        }
        else if (!this.reused) {
            byte[] copy = new byte[value.remaining()];
            value.get(copy);
            add(copy, 0, copy.length);
        }
        else {
            int length = value.remaining();
            int end = this.position + length;
            if (end > this.arena.length) {
                this.arena = Arrays.copyOf(this.arena, Math.max(end, 2 * this.arena.length));
            }
            value.get(this.arena, this.position, length);
            add(null, this.position, length);
            this.position = end;
        }
    }

    /**
     * Add the next value as it is.
     * @param value the value, or {@code null} for a missing key
     */
    void add(byte @Nullable [] value) {
        add(value, 0, (value != null) ? value.length : -1);
    }

    private void add(byte @Nullable [] array, int offset, int length) {
        if (this.size == this.offsets.length) {
            int grown = Math.max(8, 2 * this.size);
            this.arrays = Arrays.copyOf(this.arrays, grown);
            this.offsets = Arrays.copyOf(this.offsets, grown);
            this.lengths = Arrays.copyOf(this.lengths, grown);
        }
        this.arrays[this.size] = array;
        this.offsets[this.size] = offset;
        this.lengths[this.size] = length;
        this.size++;
    }

    int size() {
        return this.size;
    }

    /**
     * Whether the key of that index had no value.
     */
    boolean missing(int index) {
        return length(index) < 0;
    }

    /**
     * The array that holds the value of that index: the arena, which the next
     * {@code MGET} overwrites, or an array of its own.
     */
    byte[] array(int index) {
        byte[] array = this.arrays[index];
        return (array != null) ? array : this.arena;
    }

    int offset(int index) {
        return this.offsets[index];
    }

    int length(int index) {
        return this.lengths[index];
    }

}
