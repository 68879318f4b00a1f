package io.github.workerexporter.process;

import java.util.List;

/**
 * What {@link ProcessManager#cleanup()} did.
 *
 * @param terminated the pids of the processes that exited after TERM
 * @param killed the pids of the processes that were still alive at the deadline and got
 * KILL
 * @author Worker Exporter
 */
public record CleanupResult(List<Long> terminated, List<Long> killed) {

    /**
     * Create a result.
     * @param terminated the pids of the processes that exited after TERM
     * @param killed the pids of the processes that got KILL
     */
    public CleanupResult {
        terminated = List.copyOf(terminated);
        killed = List.copyOf(killed);
    }

}
