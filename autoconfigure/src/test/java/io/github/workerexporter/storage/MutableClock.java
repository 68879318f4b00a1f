package io.github.workerexporter.storage;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that tests move by hand: {@link #advance} lets time pass (the wall clock and
 * the monotonic clock of {@link #nanoTime()} move together), {@link #jump} sets the wall
 * clock forward or back as an NTP step or a hand-set date would, leaving the monotonic
 * clock alone.
 */
public final class MutableClock extends Clock {

    private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private volatile long nanos = 1_000_000_000_000L;

    public void advance(Duration duration) {
        this.now = this.now.plus(duration);
        this.nanos += duration.toNanos();
    }

    public void jump(Duration duration) {
        this.now = this.now.plus(duration);
    }

    /**
     * The monotonic clock, as {@link System#nanoTime()}.
     * @return nanoseconds from an arbitrary origin
     */
    public long nanoTime() {
        return this.nanos;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return this.now;
    }

}
