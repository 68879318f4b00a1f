package io.github.workerexporter.storage;

import java.time.Instant;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * One life of a worker: the process that publishes under a worker id, told apart from any
 * other by its pid, its host and its start time. A store that claims worker ids
 * ({@link MetricStore#publish(WorkerRecord, WorkerLife)}) keeps it as the id's holder, in
 * the form of {@link #token()}.
 *
 * @param pid the process id
 * @param host the host name, without spaces
 * @param startTimeMillis when the process started (epoch millis), as
 * {@link ProcessHandle.Info#startInstant()} tells it
 * @author Worker Exporter
 */
public record WorkerLife(long pid, String host, long startTimeMillis) {

    /**
     * The life as one word, {@code <pid>@<host>/<start time millis>}, for a store to
     * keep.
     * @return the token
     */
    public String token() {
        return this.pid + "@" + this.host.replace(' ', '_') + "/" + this.startTimeMillis;
    }

    /**
     * The life a token names.
     * @param token a {@link #token()}
     * @return the life, or {@code null} when the token is not one
     */
    public static @Nullable WorkerLife parse(String token) {
        int at = token.indexOf('@');
        int slash = token.lastIndexOf('/');
        if (at <= 0 || slash <= at + 1) {
            return null;
        }
        try {
            return new WorkerLife(Long.parseLong(token.substring(0, at)), token.substring(at + 1, slash),
                    Long.parseLong(token.substring(slash + 1)));
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }

    /**
     * Whether this life is known to have ended: it ran on the given host (the host of the
     * caller) and no process with its pid and start time runs there now. A life of
     * another host, or one whose start time this host cannot tell, is not known to have
     * ended.
     * @param thisHost the caller's host
     * @return whether it ended
     */
    public boolean endedOn(String thisHost) {
        if (!this.host.equals(thisHost)) {
            return false;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(this.pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        return process.get()
            .info()
            .startInstant()
            .map((start) -> start.toEpochMilli() != this.startTimeMillis)
            .orElse(false);
    }

    /**
     * The life for people: {@code <pid>@<host> (started <instant>)}.
     * @return the description
     */
    @Override
    public String toString() {
        return this.pid + "@" + this.host + " (started " + Instant.ofEpochMilli(this.startTimeMillis) + ")";
    }

}
