package io.github.workerexporter.metrics;

import java.util.Locale;

/**
 * Why a worker stopped: the {@code reason} label of the restart counters.
 * <ul>
 * <li>{@code term}, {@code int}, {@code hup}: the JVM received that signal, whose default
 * action (kept, through chaining) is a graceful shutdown;</li>
 * <li>{@code error}: the application failed to start after its context was refreshed (an
 * {@code ApplicationRunner} threw, for example) and Spring Boot closed the context. A
 * failure inside the refresh itself is not counted: the context, and the registry with
 * it, are gone before anything could be scraped.</li>
 * </ul>
 * A stop with neither (a programmatic close, the actuator's shutdown endpoint) is not a
 * restart and is not counted.
 *
 * @author Worker Exporter
 */
public enum WorkerStopReason {

    /**
     * SIGTERM.
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
    ERROR(false);

    private final boolean graceful;

    WorkerStopReason(boolean graceful) {
        this.graceful = graceful;
    }

    /**
     * The value of the {@code reason} label.
     * @return the lower-case name
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The value of the {@code restart_type} label.
     * @return {@code graceful} for signals, {@code forced} for errors
     */
    public String restartType() {
        return this.graceful ? "graceful" : "forced";
    }

}
