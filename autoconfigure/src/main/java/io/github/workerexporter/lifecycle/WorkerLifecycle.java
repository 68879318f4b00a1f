package io.github.workerexporter.lifecycle;

import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

/**
 * This worker's current {@link WorkerState} and the {@link StopReason} its life will end
 * with: the one object that the signal handlers, the request filters and the
 * uncaught-exception handler note a reason in, and that the state gauge, the restart
 * counters and the records published to shared storage read. Thread-safe.
 * <p>
 * A reason is noted when the stop is requested (a signal, a failed start) or when an
 * {@link OutOfMemoryError} is seen; the first one noted wins. A life that begins to stop
 * with no reason noted stops with {@link StopReason#TERM} (the application asked for it);
 * a life that never begins to stop (a {@code kill -9}) leaves a record without a reason,
 * which its next life counts as {@link StopReason#CRASH}.
 *
 * @author Worker Exporter
 */
public final class WorkerLifecycle {

    private volatile WorkerState state = WorkerState.STARTING;

    private final AtomicReference<@Nullable StopReason> reason = new AtomicReference<>();

    /**
     * The current state.
     * @return the state
     */
    public WorkerState state() {
        return this.state;
    }

    /**
     * Why this life ends.
     * @return the reason, or {@code null} while none was noted
     */
    public @Nullable StopReason stopReason() {
        return this.reason.get();
    }

    /**
     * Move to a state. {@link WorkerState#STOPPING} and {@link WorkerState#STOPPED} note
     * {@link StopReason#TERM} when no reason was noted.
     * @param next the new state
     */
    public void transition(WorkerState next) {
        if (next == WorkerState.STOPPING || next == WorkerState.STOPPED) {
            this.reason.compareAndSet(null, StopReason.TERM);
        }
        this.state = next;
    }

    /**
     * Note why this life ends, unless a reason was noted before.
     * @param stopReason the reason
     * @return whether it was noted (no reason was before)
     */
    public boolean stopRequested(StopReason stopReason) {
        return this.reason.compareAndSet(null, stopReason);
    }

    /**
     * A throwable escaped a request or ended a thread: an {@link OutOfMemoryError} among
     * it and its causes notes {@link StopReason#OOM}.
     * @param thrown the throwable
     */
    public void thrown(Throwable thrown) {
        if (isOutOfMemory(thrown)) {
            stopRequested(StopReason.OOM);
        }
    }

    /**
     * Whether a throwable is an {@link OutOfMemoryError} or has one among its causes.
     * @param thrown the throwable
     * @return whether it is
     */
    public static boolean isOutOfMemory(Throwable thrown) {
        Throwable current = thrown;
        for (int depth = 0; current != null && depth < 16; depth++) {
            if (current instanceof OutOfMemoryError) {
                return true;
            }
            current = current.getCause();
        }
        return false;
    }

}
