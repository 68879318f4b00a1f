package io.github.workerexporter.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counters that threads add to without sharing a cache line: one stripe of slots per
 * thread group, each stripe on cache lines of its own, summed when read. A slot holds a
 * {@code long} count or the bits of a {@code double} sum.
 * <p>
 * A thread writes a stripe it has <em>claimed</em>: {@link #claim()} sets the claim word
 * of a stripe number with one compare-and-set, and {@link #release(int)} clears it with a
 * plain store (release); in between, the thread alone writes that stripe of every
 * {@code Stripes} of the process, so it adds with ordinary reads and stores (release
 * stores: a reader's volatile read never sees a torn {@code long}, and sees a stripe's
 * slots written in order) instead of one locked instruction per slot. A request touches
 * six slots or more across its families; one claim covers them all.
 * <p>
 * The claim tried first is the stripe of the thread's id ({@code id & (stripes - 1)});
 * thread pools number their threads in a row, so the threads of a pool that run at once
 * claim different stripes, and no cache line moves between cores on the hot path. A claim
 * held by another thread (one of the same stripe number recording at the same moment, or
 * one preempted while recording) is not waited for: the next stripe is tried, and when
 * every stripe is held the thread adds to the {@link #SHARED} stripe with atomic
 * instructions, which is never claimed. So recording never blocks, a slot is written
 * either under a claim or atomically but never both, and no update is lost. Code between
 * claim and release must not park (no I/O, no lock held by others for long): a parked
 * holder does not stop anyone, but keeps its stripe from the others.
 * <p>
 * Why not {@link java.util.concurrent.atomic.LongAdder}: it spreads over cells only after
 * a compare-and-set fails, and two cores that take turns on its base field rarely make
 * one fail, so they pass its cache line back and forth on every request instead (see
 * {@code RequestBenchmark} in {@code benchmarks/}).
 *
 * @author Worker Exporter
 */
final class Stripes {

    /** Longs per 128 bytes: two cache lines, as the JDK pads contended fields. */
    private static final int LINE = 16;

    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

    private static final int STRIPES = stripes(Runtime.getRuntime().availableProcessors());

    /**
     * The number of the stripe that is never claimed: every thread adds to it with atomic
     * instructions when no other stripe could be claimed.
     */
    static final int SHARED = STRIPES;

    /**
     * The claim word of each claimable stripe, 1 while held, each on lines of its own.
     */
    private static final long[] CLAIMS = new long[LINE + STRIPES * LINE];

    private final long[] cells;

    private final int stride;

    /**
     * Stripes of the given number of slots, all zero.
     * @param slots the slots of each stripe
     */
    Stripes(int slots) {
        this.stride = (slots + LINE - 1) / LINE * LINE;
        this.cells = new long[LINE + (STRIPES + 1) * this.stride + LINE];
    }

    /**
     * The claimable stripes for this many processors: four per processor, a power of two,
     * from 4 to 64.
     */
    static int stripes(int processors) {
        return Math.max(4, Math.min(64, Integer.highestOneBit(Math.max(1, processors) * 4 - 1) << 1));
    }

    /**
     * Claim a stripe for the current thread: its own stripe if free, else the next free
     * one, else {@link #SHARED}. Never waits. Every claim is followed by
     * {@link #release(int)} of what it answered, in a {@code finally} block.
     * @return the stripe's number, from 0 to {@link #count()} - 1
     */
    static int claim() {
        int first = index();
        for (int i = 0; i < STRIPES; i++) {
            int stripe = (first + i) & (STRIPES - 1);
            int word = LINE + stripe * LINE;
            // read first: a held claim costs no locked instruction
            if ((long) CELLS.getOpaque(CLAIMS, word) == 0 && CELLS.compareAndSet(CLAIMS, word, 0L, 1L)) {
                return stripe;
            }
        }
        return SHARED;
    }

    /**
     * Let go of a stripe that {@link #claim()} answered.
     * @param stripe the stripe's number
     */
    static void release(int stripe) {
        if (stripe != SHARED) {
            CELLS.setRelease(CLAIMS, LINE + stripe * LINE, 0L);
        }
    }

    /**
     * Claim a given stripe, for tests that hold stripes as a preempted thread would.
     * @param stripe the stripe's number, below {@link #SHARED}
     * @return whether it was free and is now claimed
     */
    static boolean tryClaim(int stripe) {
        return CELLS.compareAndSet(CLAIMS, LINE + stripe * LINE, 0L, 1L);
    }

    /**
     * The number of stripes, {@link #SHARED} included: what a reader sums over.
     * @return the stripes, one more than a power of two
     */
    static int count() {
        return STRIPES + 1;
    }

    /**
     * The number of the current thread's own stripe, the first it tries to claim.
     * @return the stripe's number, from 0 to {@link #SHARED} - 1
     */
    @SuppressWarnings("deprecation") // Thread.threadId() is Java 19+; getId() is the
                                     // same.
    static int index() {
        return (int) Thread.currentThread().getId() & (STRIPES - 1);
    }

    /**
     * The count of a slot in one stripe.
     * @param stripe the stripe's number, from 0 to {@link #count()} - 1
     * @param slot the slot
     * @return the count
     */
    long get(int stripe, int slot) {
        return (long) CELLS.getVolatile(this.cells, LINE + stripe * this.stride + slot);
    }

    /**
     * The sum of a slot in one stripe.
     * @param stripe the stripe's number, from 0 to {@link #count()} - 1
     * @param slot the slot
     * @return the sum
     */
    double getDouble(int stripe, int slot) {
        return Double.longBitsToDouble(get(stripe, slot));
    }

    /**
     * Add to a count.
     * @param stripe the stripe the current thread {@link #claim() claimed}
     * @param slot the slot
     * @param delta what to add
     */
    void add(int stripe, int slot, long delta) {
        int index = LINE + stripe * this.stride + slot;
        if (stripe == SHARED) {
            CELLS.getAndAdd(this.cells, index, delta);
        }
        else {
            CELLS.setRelease(this.cells, index, this.cells[index] + delta);
        }
    }

    /**
     * Add to a sum.
     * @param stripe the stripe the current thread {@link #claim() claimed}
     * @param slot the slot
     * @param value what to add
     */
    void addDouble(int stripe, int slot, double value) {
        int index = LINE + stripe * this.stride + slot;
        if (stripe != SHARED) {
            CELLS.setRelease(this.cells, index,
                    Double.doubleToRawLongBits(Double.longBitsToDouble(this.cells[index]) + value));
            return;
        }
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
        for (int stripe = 0; stripe <= STRIPES; stripe++) {
            sum += get(stripe, slot);
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
        for (int stripe = 0; stripe <= STRIPES; stripe++) {
            sum += getDouble(stripe, slot);
        }
        return sum;
    }

}
