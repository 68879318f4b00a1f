package io.github.workerexporter.sidecar;

import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * A value computed on demand at most once per interval, such as a directory walk that a
 * scrape reads. The interval is measured on a monotonic clock: a wall clock set back
 * would otherwise freeze the value until it caught up.
 *
 * @param <T> the type of the value
 * @author Worker Exporter
 */
final class PeriodicValue<T> {

    private final Supplier<T> compute;

    private final long intervalNanos;

    private final LongSupplier nanoTime;

    private @Nullable T value;

    private long computedAt;

    PeriodicValue(Supplier<T> compute, Duration interval, LongSupplier nanoTime) {
        this.compute = compute;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    synchronized T get() {
        long now = this.nanoTime.getAsLong();
        T current = this.value;
        if (current == null || now - this.computedAt >= this.intervalNanos) {
            current = this.compute.get();
            this.value = current;
            this.computedAt = now;
        }
        return current;
    }

}
