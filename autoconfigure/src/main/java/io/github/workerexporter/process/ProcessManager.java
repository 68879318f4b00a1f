package io.github.workerexporter.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * Ends the child processes of this JVM at exit, as the original's ProcessManager: every
 * descendant gets TERM, and those still alive when the timeout has passed get KILL.
 * <p>
 * The descendants are listed once, before any is signalled: ending a parent first would
 * hand its own children to init, and they would no longer be found. All are then
 * signalled and waited for together, against one deadline. A process that fails is logged
 * and the others are still ended. Nothing but descendants of this JVM is touched.
 *
 * @author Worker Exporter
 */
public class ProcessManager {

    private static final Logger logger = LoggerFactory.getLogger(ProcessManager.class);

    private static final AtomicBoolean deferred = new AtomicBoolean();

    private final Duration timeout;

    /**
     * Create a manager.
     * @param timeout how long processes get after TERM before they are killed
     */
    public ProcessManager(Duration timeout) {
        Assert.isTrue(!timeout.isNegative(), () -> "Timeout must not be negative: " + timeout);
        this.timeout = timeout;
    }

    /**
     * End the descendants when this JVM exits: now, when the JVM is shutting down (a
     * signal, {@code System.exit}); otherwise (a context closed while the JVM lives on,
     * as in tests or a DevTools restart) from one JVM shutdown hook, so that a context
     * close never ends processes the JVM still uses.
     * @return whether the clean-up ran now
     */
    public boolean cleanupAtJvmExit() {
        if (isJvmShuttingDown()) {
            cleanup();
            return true;
        }
        if (deferred.compareAndSet(false, true)) {
            logger.debug("JVM not exiting: child processes will be ended when it does");
            Runtime.getRuntime().addShutdownHook(new Thread(this::cleanup, "exporter-process-cleanup"));
        }
        return false;
    }

    private static boolean isJvmShuttingDown() {
        Thread probe = new Thread(() -> {
        });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        }
        catch (IllegalStateException ex) {
            return true;
        }
    }

    /**
     * Terminate every descendant of this JVM, then kill those still alive after the
     * timeout.
     * @return the processes terminated and killed
     */
    public CleanupResult cleanup() {
        List<ProcessHandle> descendants = ProcessHandle.current().descendants().toList();
        List<Signalled> signalled = new ArrayList<>(descendants.size());
        for (ProcessHandle process : descendants) {
            Signalled terminating = terminate(process);
            if (terminating != null) {
                signalled.add(terminating);
            }
        }
        long deadline = System.nanoTime() + this.timeout.toNanos();
        List<Long> terminated = new ArrayList<>();
        List<Long> killed = new ArrayList<>();
        for (Signalled process : signalled) {
            if (awaitExit(process.exit(), deadline)) {
                terminated.add(process.handle().pid());
            }
            else if (kill(process)) {
                killed.add(process.handle().pid());
            }
        }
        return new CleanupResult(terminated, killed);
    }

    private @Nullable Signalled terminate(ProcessHandle process) {
        String command = describe(process);
        try {
            logger.info("Terminating child process: {} (PID: {})", command, process.pid());
            return process.destroy() ? new Signalled(process, command, process.onExit()) : null;
        }
        catch (RuntimeException ex) {
            logger.warn("Error terminating child process {}: {}", process.pid(), ex.toString());
            return null;
        }
    }

    private boolean kill(Signalled process) {
        try {
            logger.warn("Force killing child process: {} (PID: {})", process.command(), process.handle().pid());
            return process.handle().destroyForcibly();
        }
        catch (RuntimeException ex) {
            logger.warn("Error killing child process {}: {}", process.handle().pid(), ex.toString());
            return false;
        }
    }

    private static boolean awaitExit(CompletableFuture<ProcessHandle> exit, long deadline) {
        try {
            exit.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        }
        catch (TimeoutException | ExecutionException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            // Stop waiting: the remaining processes are killed.
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String describe(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        return info.commandLine().or(info::command).orElse("?");
    }

    private record Signalled(ProcessHandle handle, String command, CompletableFuture<ProcessHandle> exit) {
    }

}
