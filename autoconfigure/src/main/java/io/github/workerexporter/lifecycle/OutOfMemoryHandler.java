package io.github.workerexporter.lifecycle;

import org.jspecify.annotations.Nullable;

/**
 * The JVM's default uncaught-exception handler while installed: notes
 * {@link StopReason#OOM} in the {@link WorkerLifecycle} when an {@link OutOfMemoryError}
 * ends a thread, then hands the throwable to the handler it replaced (or prints it, as
 * the JVM does when there is none). A thread with a handler of its own (set with
 * {@link Thread#setUncaughtExceptionHandler}) never reaches it.
 *
 * @author Worker Exporter
 */
public final class OutOfMemoryHandler implements Thread.UncaughtExceptionHandler {

    private final WorkerLifecycle lifecycle;

    private Thread.@Nullable UncaughtExceptionHandler previous;

    private boolean installed;

    /**
     * Create a handler; nothing is installed before {@link #install()}.
     * @param lifecycle where the reason is noted
     */
    public OutOfMemoryHandler(WorkerLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /**
     * Become the default uncaught-exception handler, chained to the current one.
     */
    public synchronized void install() {
        if (!this.installed) {
            this.previous = Thread.getDefaultUncaughtExceptionHandler();
            Thread.setDefaultUncaughtExceptionHandler(this);
            this.installed = true;
        }
    }

    /**
     * Put back the handler replaced, unless another one replaced this handler since.
     */
    public synchronized void restore() {
        if (this.installed && Thread.getDefaultUncaughtExceptionHandler() == this) {
            Thread.setDefaultUncaughtExceptionHandler(this.previous);
        }
        this.installed = false;
    }

    @Override
    public void uncaughtException(Thread thread, Throwable thrown) {
        this.lifecycle.thrown(thrown);
        Thread.UncaughtExceptionHandler chained;
        synchronized (this) {
            chained = this.previous;
        }
        if (chained != null) {
            chained.uncaughtException(thread, thrown);
        }
        else {
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            thrown.printStackTrace(System.err);
        }
    }

}
