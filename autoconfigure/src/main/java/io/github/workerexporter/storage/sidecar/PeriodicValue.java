package io.github.workerexporter.storage.sidecar;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * A value computed on demand at most once per interval, such as a directory walk that a
 * scrape reads.
 *
 * @param <T> the type of the value
 * @author Worker Exporter
 */
final class PeriodicValue<T> {

    private final Supplier<T> compute;

    private final long intervalMillis;

    private final Clock clock;

    private @Nullable T value;

    private long computedAt;

    PeriodicValue(Supplier<T> compute, Duration interval, Clock clock) {
        this.compute = compute;
        this.intervalMillis = interval.toMillis();
        this.clock = clock;
    }

    synchronized T get() {
        long now = this.clock.millis();
        T current = this.value;
        if (current == null || now - this.computedAt >= this.intervalMillis) {
            current = this.compute.get();
            this.value = current;
            this.computedAt = now;
        }
        return current;
    }

}
