package io.github.workerexporter.storage;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long ago each worker last flushed (or each file last changed), as one reader of the
 * store sees it, measured on the reader's monotonic clock so that a jump of a wall clock
 * (the reader's or a worker's: an NTP step, a resumed virtual machine, a hand-set date)
 * neither declares a flushing worker lost nor expires fresh data, nor keeps a silent
 * worker alive or stale data kept.
 * <p>
 * Heartbeats are epoch millis of each worker's wall clock, possibly on other hosts, so
 * the reader notes on its own monotonic clock when it saw a worker's record change:
 * <ul>
 * <li>a worker it has not seen before: the age is the difference of the wall clocks,
 * never negative (the only case where a jump can mislead: a reader that starts right
 * after a jump, or a worker it never saw);</li>
 * <li>a record that changed since the previous read (a flush, or a new life under the
 * same worker id): the difference of the wall clocks when it lies between zero and the
 * time since that read, as it does when the clocks agree; otherwise the clocks disagree
 * and the flush counts as just seen, so that a worker whose clock jumped is alive while
 * it flushes;</li>
 * <li>a record unchanged: the age grows with the monotonic clock only.</li>
 * </ul>
 * Workers absent from a read are forgotten. Thread-safe. The one owner of this measure:
 * the master view's census has one and decides liveness from its ages; the file store has
 * one for the expiry of its worker files ({@link #observe(Map)}, by file name) and one
 * for the sweep of its temporary files ({@link #observeModified}).
 *
 * @author Worker Exporter
 */
public final class HeartbeatAges {

    private final Clock clock;

    private final LongSupplier nanoTime;

    private final Map<String, Seen> seen = new HashMap<>();

    /**
     * Ages on this JVM's monotonic clock ({@link System#nanoTime()}).
     * @param clock the wall clock that heartbeats are compared with at first sight
     */
    public HeartbeatAges(Clock clock) {
        this(clock, System::nanoTime);
    }

    /**
     * Ages on the given monotonic clock.
     * @param clock the wall clock that heartbeats are compared with at first sight
     * @param nanoTime a monotonic clock in nanoseconds, such as {@link System#nanoTime()}
     */
    public HeartbeatAges(Clock clock, LongSupplier nanoTime) {
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /**
     * Note one complete read of the store and tell how long ago each worker flushed.
     * @param records every record of the read
     * @return the age of each worker's last flush by worker id, never negative
     */
    public Map<String, Duration> observe(Collection<WorkerRecord> records) {
        return observe(records.stream()
            .map((record) -> new Beat(record.workerId(), record.startTimeMillis(), record.heartbeatMillis()))
            .toList());
    }

    /**
     * Note one complete read of stamped things (such as the worker files of a directory)
     * and tell how long ago each one's stamp changed.
     * @param stamps each one's start time and heartbeat by name
     * @return the age of each one's last change by name, never negative
     */
    public Map<String, Duration> observe(Map<String, Stamp> stamps) {
        return observe(stamps.entrySet()
            .stream()
            .map((stamped) -> new Beat(stamped.getKey(), stamped.getValue().startTimeMillis(),
                    stamped.getValue().heartbeatMillis()))
            .toList());
    }

    /**
     * Note one complete listing of files and tell how long ago each was last modified,
     * measured as heartbeats are (a file is a worker whose modification time is its
     * heartbeat).
     * @param modifiedMillis the last modification time of each file (epoch millis) by
     * name
     * @return the age of each file's last modification by name, never negative
     */
    public Map<String, Duration> observeModified(Map<String, Long> modifiedMillis) {
        return observe(
                modifiedMillis.entrySet().stream().map((file) -> new Beat(file.getKey(), 0, file.getValue())).toList());
    }

    /**
     * Whether the last read found this stamp under this name older than the given age:
     * then the next read finds it older still while it stays unchanged (the age of an
     * unchanged stamp only grows), unless a read that left it out came between.
     * @param name the name of the stamped thing
     * @param stamp its start time and heartbeat now
     * @param age the age
     * @return whether it was older at the last read, with the same stamp
     */
    public synchronized boolean wasOlderThan(String name, Stamp stamp, Duration age) {
        Seen seen = this.seen.get(name);
        return seen != null && seen.startTimeMillis() == stamp.startTimeMillis()
                && seen.heartbeatMillis() == stamp.heartbeatMillis()
                && Duration.ofNanos(seen.seenAt() - seen.changedAt()).compareTo(age) > 0;
    }

    private synchronized Map<String, Duration> observe(List<Beat> beats) {
        long now = this.nanoTime.getAsLong();
        long wall = this.clock.millis();
        Map<String, Seen> current = new HashMap<>();
        Map<String, Duration> ages = new HashMap<>();
        for (Beat beat : beats) {
            long hint = TimeUnit.MILLISECONDS.toNanos(Math.max(0, wall - beat.heartbeatMillis()));
            Seen previous = this.seen.get(beat.key());
            long changedAt;
            if (previous == null) {
                changedAt = now - hint;
            }
            else if (previous.startTimeMillis() == beat.startTimeMillis()
                    && previous.heartbeatMillis() == beat.heartbeatMillis()) {
                changedAt = previous.changedAt();
            }
            else {
                changedAt = (hint <= now - previous.seenAt()) ? now - hint : now;
            }
            current.put(beat.key(), new Seen(beat.startTimeMillis(), beat.heartbeatMillis(), changedAt, now));
            ages.put(beat.key(), Duration.ofNanos(now - changedAt));
        }
        this.seen.clear();
        this.seen.putAll(current);
        return ages;
    }

    /**
     * What tells that a stamped thing changed.
     *
     * @param startTimeMillis the start time of the life that wrote it, epoch millis
     * @param heartbeatMillis when it was last written, epoch millis
     */
    public record Stamp(long startTimeMillis, long heartbeatMillis) {

    }

    private record Beat(String key, long startTimeMillis, long heartbeatMillis) {

    }

    private record Seen(long startTimeMillis, long heartbeatMillis, long changedAt, long seenAt) {

    }

}
