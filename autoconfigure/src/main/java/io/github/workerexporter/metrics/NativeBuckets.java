package io.github.workerexporter.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntBinaryOperator;

/**
 * The buckets of a native histogram at one schema, counted in {@link Stripes}' manner: a
 * bucket is a slot, given out in the order buckets are first seen, and each stripe's
 * counts live in chunks of 16 slots that the stripe's thread allocates the first time it
 * counts in them, so a thread counts on cache lines of its own and a bucket seen before
 * costs no allocation.
 * <p>
 * A bucket's key is its index and its sign ({@code index << 1 | negative}); the slot of a
 * key is found in an open-addressing table of {@code key << 32 | slot + 1} entries that
 * is written with one compare-and-set per new bucket and never rehashed (it is at least
 * twice the slots). The buckets are bounded: past {@link #capacity()} slots
 * {@link #slot(int)} answers -1 and the owner moves on to a new set of buckets.
 * <p>
 * Bucket indexes follow Prometheus: at schema {@code s} bucket {@code i} holds the values
 * in {@code (base^(i-1), base^i]}, {@code base = 2^(2^-s)}. The index is computed from
 * the value's binary exponent and mantissa: for a positive schema a binary search of the
 * mantissa among the schema's bounds, otherwise a shift of the exponent.
 *
 * @author Worker Exporter
 */
final class NativeBuckets {

    /** Set in what {@link #slot(int)} answers when this call created the bucket. */
    static final int NEW = 1 << 30;

    private static final int CHUNK = 16;

    private static final VarHandle ENTRIES = MethodHandles.arrayElementVarHandle(long[].class);

    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);

    private static final long MANTISSA = 0x000F_FFFF_FFFF_FFFFL;

    private static final long HALF = Double.doubleToRawLongBits(0.5);

    /** The lower bounds of a mantissa in [0.5, 1) of each positive schema's buckets. */
    private static final double[][] BOUNDS = new double[HistogramSettings.MAX_SCHEMA][];

    static {
        for (int schema = 1; schema <= HistogramSettings.MAX_SCHEMA; schema++) {
            int n = 1 << schema;
            double[] bounds = new double[n];
            for (int i = 0; i < n; i++) {
                // an even bound is a bound of the coarser schema: the same double
                bounds[i] = (i % 2 == 0 && schema > 1) ? BOUNDS[schema - 2][i / 2] : Math.pow(2, (double) i / n - 1);
            }
            BOUNDS[schema - 1] = bounds;
        }
    }

    private final int schema;

    private final int capacity;

    private final long[] entries;

    private final int shift;

    private final AtomicInteger slots = new AtomicInteger();

    private final AtomicInteger buckets = new AtomicInteger();

    private final int chunksPerStripe;

    private final AtomicReferenceArray<long[]> chunks;

    /**
     * Buckets at a schema, none seen yet.
     * @param schema the schema
     * @param capacity the most slots
     */
    NativeBuckets(int schema, int capacity) {
        this.schema = schema;
        this.capacity = capacity;
        int size = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.entries = new long[size];
        this.shift = 32 - Integer.numberOfTrailingZeros(size);
        this.chunksPerStripe = (capacity + CHUNK - 1) / CHUNK;
        this.chunks = new AtomicReferenceArray<>(Stripes.count() * this.chunksPerStripe);
    }

    int schema() {
        return this.schema;
    }

    int capacity() {
        return this.capacity;
    }

    /**
     * The buckets seen.
     * @return how many keys have a slot
     */
    int size() {
        return this.buckets.get();
    }

    /**
     * The slot of a bucket, given one if it is new.
     * @param key the bucket's key
     * @return the slot, with {@link #NEW} set when this call created it, or -1 when the
     * bucket is new and no slot is left
     */
    int slot(int key) {
        int slot = -1;
        int i = (key * 0x9E3779B9) >>> this.shift;
        while (true) {
            long entry = (long) ENTRIES.getAcquire(this.entries, i);
            if (entry == 0) {
                if (slot < 0) {
                    slot = this.slots.getAndIncrement();
                    if (slot >= this.capacity) {
                        return -1;
                    }
                }
                if (ENTRIES.compareAndSet(this.entries, i, 0L, ((long) key << 32) | (slot + 1))) {
                    this.buckets.incrementAndGet();
                    return slot | NEW;
                }
                continue;
            }
            if ((int) (entry >>> 32) == key) {
                // a slot taken for a bucket another thread created at once stays unused
                return (int) entry - 1;
            }
            i = (i + 1) & (this.entries.length - 1);
        }
    }

    /**
     * Count one in a slot.
     * @param stripe the stripe the current thread {@link Stripes#claim() claimed}
     * @param slot the slot
     */
    void increment(int stripe, int slot) {
        int index = stripe * this.chunksPerStripe + slot / CHUNK;
        long[] chunk = this.chunks.get(index);
        if (chunk == null) {
            // allocated by the stripe's own thread, so it sits among that thread's
            // objects
            chunk = new long[CHUNK];
            if (!this.chunks.compareAndSet(index, null, chunk)) {
                chunk = this.chunks.get(index);
            }
        }
        int cell = slot % CHUNK;
        if (stripe == Stripes.SHARED) {
            COUNTS.getAndAdd(chunk, cell, 1L);
        }
        else {
            // the stripe's claim makes this thread its only writer
            COUNTS.setRelease(chunk, cell, chunk[cell] + 1);
        }
    }

    /**
     * The count of a slot in one stripe.
     * @param stripe the stripe's number
     * @param slot the slot
     * @return the count
     */
    long count(int stripe, int slot) {
        long[] chunk = this.chunks.get(stripe * this.chunksPerStripe + slot / CHUNK);
        return (chunk != null) ? (long) COUNTS.getVolatile(chunk, slot % CHUNK) : 0;
    }

    /**
     * Every bucket seen, in no order.
     * @param action called with each bucket's key and slot
     */
    void forEach(IntBinaryOperator action) {
        for (int i = 0; i < this.entries.length; i++) {
            long entry = (long) ENTRIES.getAcquire(this.entries, i);
            if (entry != 0) {
                action.applyAsInt((int) (entry >>> 32), (int) entry - 1);
            }
        }
    }

    /**
     * The key of a bucket.
     * @param index the bucket's index
     * @param negative whether it holds negative values
     * @return the key
     */
    static int key(int index, boolean negative) {
        return (index << 1) | (negative ? 1 : 0);
    }

    /**
     * The bucket of a key at a coarser schema: bucket {@code i} of schema {@code s} lies
     * in bucket {@code ceil(i / 2^d)} of schema {@code s - d}.
     * @param key the key
     * @param d how many schemas coarser, at least 0
     * @return the key at the coarser schema
     */
    static int reduce(int key, int d) {
        int index = key >> 1;
        return key(((index + (1 << d) - 1) >> d), (key & 1) != 0);
    }

    /**
     * The bucket index of a value.
     * @param value the value, above 0 (infinity included)
     * @param schema the schema
     * @return the index of the bucket that holds the value
     */
    static int index(double value, int schema) {
        if (value == Double.POSITIVE_INFINITY) {
            return index(Double.MAX_VALUE, schema) + 1;
        }
        int exponent = Math.getExponent(value);
        if (exponent < Double.MIN_EXPONENT) {
            // subnormal: scale up into the normal range
            value *= 0x1p54;
            exponent = Math.getExponent(value) - 54;
        }
        // value = fraction * 2^exponent with fraction in [0.5, 1), as C's frexp
        double fraction = Double.longBitsToDouble((Double.doubleToRawLongBits(value) & MANTISSA) | HALF);
        exponent++;
        if (schema > 0) {
            double[] bounds = BOUNDS[schema - 1];
            return firstAtLeast(bounds, fraction) + (exponent - 1) * bounds.length;
        }
        if (fraction == 0.5) {
            // a power of two is the upper bound of its bucket
            exponent--;
        }
        return (exponent + (1 << -schema) - 1) >> -schema;
    }

    private static int firstAtLeast(double[] bounds, double fraction) {
        int low = 0;
        int high = bounds.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (bounds[mid] < fraction) {
                low = mid + 1;
            }
            else {
                high = mid;
            }
        }
        return low;
    }

}
