package io.github.workerexporter.lifecycle;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Why a worker's life ended: the {@code reason} label of the restart counters and the
 * stop reason of its record in shared storage.
 * <ul>
 * <li>{@code term}, {@code int}, {@code hup}: the JVM received that signal, whose default
 * action (kept, through chaining) is a graceful shutdown; {@code term} is also a graceful
 * stop that the application asked for itself (its context closed, {@code System.exit},
 * the actuator's {@code shutdown} endpoint);</li>
 * <li>{@code error}: the application failed to start after its context was refreshed (an
 * {@code ApplicationRunner} threw, for example) and Spring Boot closed the context;</li>
 * <li>{@code oom}: an {@link OutOfMemoryError} escaped a request or ended a thread before
 * the life ended, whether the JVM went on or not;</li>
 * <li>{@code crash}: the life recorded no reason: it ended without running its shutdown
 * hooks ({@code kill -9}, the kernel's OOM killer, {@code -XX:+ExitOnOutOfMemoryError}, a
 * crash of the VM, a power cut). Only the next life of the worker id can tell.</li>
 * </ul>
 * The first reason noted in a life wins.
 *
 * @author Worker Exporter
 */
public enum StopReason {

    /**
     * SIGTERM, or a graceful stop the application asked for.
     */
    TERM(true),

    /**
     * SIGINT.
     */
    INT(true),

    /**
     * SIGHUP (gunicorn's reload; a JVM shuts down and is restarted by its supervisor).
     */
    HUP(true),

    /**
     * Start-up failure.
     */
    ERROR(false),

    /**
     * No reason recorded: the life ended without its shutdown hooks.
     */
    CRASH(false),

    /**
     * An {@link OutOfMemoryError} escaped a request or a thread.
     */
    OOM(false);

    private final boolean graceful;

    StopReason(boolean graceful) {
        this.graceful = graceful;
    }

    /**
     * The value of the {@code reason} label and of a stored record's stop reason.
     * @return the lower-case name
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The value of the {@code restart_type} label.
     * @return {@code graceful} for signals, {@code forced} for the others
     */
    public String restartType() {
        return this.graceful ? "graceful" : "forced";
    }

    /**
     * The reason of a label, as stored records hold it.
     * @param label a label, such as {@code term}
     * @return the reason, or {@code null} for a label this version does not know
     */
    public static @Nullable StopReason ofLabel(String label) {
        for (StopReason reason : values()) {
            if (reason.label().equals(label)) {
                return reason;
            }
        }
        return null;
    }

}
