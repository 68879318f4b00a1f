package io.github.workerexporter.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters that threads add to without sharing a cache line: one stripe of slots per
 * thread group, each stripe on cache lines of its own, summed when read. A slot holds a
 * {@code long} count or the bits of a {@code double} sum.
 * <p>
 * A thread writes the stripe of its id ({@code id & (stripes - 1)}); thread pools number
 * their threads in a row, so the threads of a pool that run at once write different
 * stripes, and no cache line moves between cores on the hot path. Why not
 * {@link java.util.concurrent.atomic.LongAdder}: it spreads over cells only after a
 * compare-and-set fails, and two cores that take turns on its base field rarely make one
 * fail, so they pass its cache line back and forth on every request instead (see
 * {@code RequestBenchmark} in {@code benchmarks/}).
 *
 * @author Worker Exporter
 */
final class Stripes {

    /** Longs per 128 bytes: two cache lines, as the JDK pads contended fields. */
    private static final int LINE = 16;

    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

    private static final int STRIPES = stripes(Runtime.getRuntime().availableProcessors());

    private final long[] cells;

    private final int stride;

    /**
     * Stripes of the given number of slots, all zero.
     * @param slots the slots of each stripe
     */
    Stripes(int slots) {
        this.stride = (slots + LINE - 1) / LINE * LINE;
        this.cells = new long[LINE + STRIPES * this.stride + LINE];
    }

    /**
     * The stripes for this many processors: four per processor, a power of two, from 4 to
     * 64.
     */
    static int stripes(int processors) {
        return Math.max(4, Math.min(64, Integer.highestOneBit(Math.max(1, processors) * 4 - 1) << 1));
    }

    /**
     * The stripe of the current thread, for {@link #add} and {@link #addDouble}.
     * @return the stripe
     */
    int stripe() {
        return stripe(index());
    }

    /**
     * The stripe of a stripe number, for {@link #add} and {@link #addDouble}.
     * @param index the current thread's {@link #index()}
     * @return the stripe
     */
    int stripe(int index) {
        return LINE + index * this.stride;
    }

    /**
     * The number of stripes.
     * @return the stripes, a power of two
     */
    static int count() {
        return STRIPES;
    }

    /**
     * The number of the current thread's stripe, from 0 to {@link #count()} - 1.
     * @return the stripe's number
     */
    @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+; getId() is the
                                     // same.
    static int index() {
        return (int) Thread.currentThread().getId() & (STRIPES - 1);
    }

    /**
     * The count of a slot in one stripe.
     * @param index the stripe's number, from 0 to {@link #count()} - 1
     * @param slot the slot
     * @return the count
     */
    long get(int index, int slot) {
        return (long) CELLS.getVolatile(this.cells, LINE + index * this.stride + slot);
    }

    /**
     * The sum of a slot in one stripe.
     * @param index the stripe's number, from 0 to {@link #count()} - 1
     * @param slot the slot
     * @return the sum
     */
    double getDouble(int index, int slot) {
        return Double.longBitsToDouble(get(index, slot));
    }

    /**
     * Add to a count.
     * @param stripe the current thread's {@link #stripe()}
     * @param slot the slot
     * @param delta what to add
     */
    void add(int stripe, int slot, long delta) {
        CELLS.getAndAdd(this.cells, stripe + slot, delta);
    }

    /**
     * Add to a sum.
     * @param stripe the current thread's {@link #stripe()}
     * @param slot the slot
     * @param value what to add
     */
    void addDouble(int stripe, int slot, double value) {
        int index = stripe + slot;
        long current;
        do {
            current = (long) CELLS.getVolatile(this.cells, index);
        }
        while (!CELLS.weakCompareAndSet(this.cells, index, current,
                Double.doubleToRawLongBits(Double.longBitsToDouble(current) + value)));
    }

    /**
     * The count of a slot over all stripes.
     * @param slot the slot
     * @return the count
     */
    long sum(int slot) {
        long sum = 0;
        for (int stripe = 0; stripe < STRIPES; stripe++) {
            sum += (long) CELLS.getVolatile(this.cells, LINE + stripe * this.stride + slot);
        }
        return sum;
    }

    /**
     * The sum of a slot over all stripes.
     * @param slot the slot
     * @return the sum
     */
    double sumDouble(int slot) {
        double sum = 0;
        for (int stripe = 0; stripe < STRIPES; stripe++) {
            sum += Double.longBitsToDouble((long) CELLS.getVolatile(this.cells, LINE + stripe * this.stride + slot));
        }
        return sum;
    }

}
