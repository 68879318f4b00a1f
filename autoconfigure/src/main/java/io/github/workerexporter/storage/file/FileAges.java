package io.github.workerexporter.storage.file;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How long ago the content of each file of the shared directory last changed, as this JVM
 * sees it, for the file store's own clean-up and expiry: measured on this JVM's monotonic
 * clock once a file was seen, so that a jump of a wall clock neither expires fresh data
 * nor keeps stale data. A file seen for the first time is as old as its stamp (a
 * heartbeat or a modification time) says, by the wall clock, never negative; a stamp that
 * changed since the previous observation counts from the time it says when that lies
 * within the time since, else from now; an unchanged stamp ages on the monotonic clock
 * only. Files absent from an observation are forgotten. Thread-safe.
 * <p>
 * This is the directory's own notion of age, not a worker's liveness: the file store
 * tells a live worker by its lock ({@link WorkerLock}), never by an age.
 *
 * @author Worker Exporter
 */
final class FileAges {

    private final Clock clock;

    private final LongSupplier nanoTime;

    private final Map<String, Seen> seen = new HashMap<>();

    FileAges(Clock clock, LongSupplier nanoTime) {
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /**
     * Note one complete observation of the files and tell the age of each.
     * @param stamps each file's stamp by name: a start time and a heartbeat (or
     * modification time), epoch millis
     * @return the age of each file by name
     */
    synchronized Map<String, Duration> observe(Map<String, long[]> stamps) {
        long now = this.nanoTime.getAsLong();
        long wall = this.clock.millis();
        Map<String, Seen> current = new HashMap<>();
        Map<String, Duration> ages = new HashMap<>();
        stamps.forEach((name, stamp) -> {
            long hint = TimeUnit.MILLISECONDS.toNanos(Math.max(0, wall - stamp[1]));
            Seen previous = this.seen.get(name);
            long changedAt;
            if (previous == null) {
                changedAt = now - hint;
            }
            else if (previous.start() == stamp[0] && previous.stamp() == stamp[1]) {
                changedAt = previous.changedAt();
            }
            else {
                changedAt = (hint <= now - previous.seenAt()) ? now - hint : now;
            }
            current.put(name, new Seen(stamp[0], stamp[1], changedAt, now));
            ages.put(name, Duration.ofNanos(now - changedAt));
        });
        this.seen.clear();
        this.seen.putAll(current);
        return ages;
    }

    private record Seen(long start, long stamp, long changedAt, long seenAt) {
    }

}
