package io.github.workerexporter.metrics;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import io.github.workerexporter.environment.WorkerPool;
import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookContext;
import io.github.workerexporter.hooks.HookPhase;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerLifecycle;

/**
 * Handles the signals of gunicorn's arbiter (HUP, INT, TERM, USR1, USR2, TTIN, TTOU,
 * CHLD); installed at {@code on_starting}, the previous handlers put back at
 * {@code on_exit}. TERM, INT and HUP end this life: their handler notes the
 * {@link StopReason} in the {@link WorkerLifecycle} and counts nothing (the next life
 * counts the restart, see {@link MasterRestarts}). The others are counted when received
 * in {@link MasterRestarts}; TTIN and TTOU also grow or shrink the {@link WorkerPool} by
 * one. Every handler then chains to the handler it replaced, so TERM, INT and HUP still
 * shut the JVM down gracefully (exit codes 143, 130, 129).
 * <p>
 * A signal is left alone, logged at DEBUG, when the platform does not know it, when the
 * JVM refuses it ({@code -Xrs}), when it was ignored at start (HUP under {@code nohup}),
 * when the VM handles it natively (HotSpot on Linux suspends threads with USR2, for JFR
 * sampling among others, so USR2 is not counted there), and for TERM, INT and HUP when no
 * Java handler would shut the JVM down. USR1, USR2, TTIN, TTOU and CHLD otherwise replace
 * their default action: USR1 no longer terminates the JVM and TTIN no longer stops it.
 *
 * @author Worker Exporter
 */
public class SignalHandlers implements ExporterHook {

    private static final Logger logger = LoggerFactory.getLogger(SignalHandlers.class);

    private final MasterRestarts master;

    private final WorkerLifecycle lifecycle;

    private final Supplier<@Nullable WorkerPool> pool;

    private final Map<Signal, CountingHandler> installed = new LinkedHashMap<>();

    /**
     * Create the handlers.
     * @param master where the signals that do not end the JVM are counted
     * @param lifecycle where the stop reason is noted
     * @param pool the worker pool that TTIN and TTOU resize, if the application has one
     */
    public SignalHandlers(MasterRestarts master, WorkerLifecycle lifecycle, Supplier<@Nullable WorkerPool> pool) {
        this.master = master;
        this.lifecycle = lifecycle;
        this.pool = pool;
    }

    @Override
    public void execute(HookContext context) {
        if (context.phase() == HookPhase.ON_STARTING) {
            install();
        }
        else if (context.phase() == HookPhase.ON_EXIT) {
            restore();
        }
    }

    /**
     * Install a handler for every counted signal that can have one.
     */
    public synchronized void install() {
        for (String reason : MasterRestarts.SIGNALS) {
            try {
                Signal signal = new Signal(reason.toUpperCase(Locale.ROOT));
                CountingHandler handler = new CountingHandler(reason);
                synchronized (handler) {
                    handler.previous = Signal.handle(signal, handler);
                    String refusal = refusal(handler);
                    if (refusal != null) {
                        Signal.handle(signal, handler.previous);
                        logger.debug("SIG{} not counted: {}", signal.getName(), refusal);
                    }
                    else {
                        this.installed.put(signal, handler);
                    }
                }
            }
            catch (IllegalArgumentException ex) {
                logger.debug("SIG{} not counted: {}", reason.toUpperCase(Locale.ROOT), ex.getMessage());
            }
        }
    }

    /**
     * Put back the handlers that were replaced.
     */
    public synchronized void restore() {
        this.installed.forEach((signal, handler) -> {
            SignalHandler current = Signal.handle(signal, handler.previous);
            if (current != handler) {
                Signal.handle(signal, current);
            }
        });
        this.installed.clear();
    }

    private static @Nullable String refusal(CountingHandler handler) {
        SignalHandler previous = handler.previous;
        if (previous == SignalHandler.SIG_IGN) {
            return "ignored since start";
        }
        if (isNative(previous)) {
            return "handled natively by the VM";
        }
        if (previous == SignalHandler.SIG_DFL && handler.stopReason != null) {
            return "no JVM shutdown handler to chain to";
        }
        return null;
    }

    private static boolean isNative(SignalHandler handler) {
        // sun.misc offers no type for it: the wrapper prints the VM's native handler
        return handler != SignalHandler.SIG_DFL
                && String.valueOf(handler).startsWith("jdk.internal.misc.Signal$NativeHandler");
    }

    private final class CountingHandler implements SignalHandler {

        private final String reason;

        private final @Nullable StopReason stopReason;

        private SignalHandler previous = SignalHandler.SIG_DFL;

        CountingHandler(String reason) {
            this.reason = reason;
            this.stopReason = MasterRestarts.endingReason(reason);
        }

        @Override
        public void handle(Signal signal) {
            if (this.stopReason != null) {
                SignalHandlers.this.lifecycle.stopRequested(this.stopReason);
            }
            else {
                SignalHandlers.this.master.signal(this.reason);
            }
            if (this.reason.equals("ttin") || this.reason.equals("ttou")) {
                resizePool(this.reason.equals("ttin") ? 1 : -1);
            }
            SignalHandler chained;
            synchronized (this) {
                chained = this.previous;
            }
            if (chained != SignalHandler.SIG_DFL) {
                chained.handle(signal);
            }
        }

        private void resizePool(int delta) {
            WorkerPool workerPool = SignalHandlers.this.pool.get();
            if (workerPool != null) {
                try {
                    logger.debug("Worker pool resized to {}", workerPool.adjust(delta));
                }
                catch (RuntimeException ex) {
                    logger.warn("Cannot resize the worker pool by {}: {}", delta, ex.toString());
                }
            }
        }

    }

}
