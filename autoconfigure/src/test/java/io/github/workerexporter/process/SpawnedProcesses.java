package io.github.workerexporter.process;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;

/**
 * Real processes started by a test, each through {@code sh -c}, and every one of them
 * (and the descendants seen through {@link #track}) killed by {@link #killAll()}.
 *
 * @author Worker Exporter
 */
public final class SpawnedProcesses {

    private final List<ProcessHandle> spawned = new ArrayList<>();

    /**
     * Start {@code sh -c script} as a child of this JVM.
     * @param script the shell script
     * @return the process
     * @throws IOException if it cannot be started
     */
    public Process start(String script) throws IOException {
        Process process = new ProcessBuilder("sh", "-c", script).redirectOutput(Redirect.DISCARD)
            .redirectError(Redirect.DISCARD)
            .start();
        track(process.toHandle());
        return process;
    }

    /**
     * Kill a process at the end of the test too.
     * @param process the process
     * @return the process
     */
    public ProcessHandle track(ProcessHandle process) {
        this.spawned.add(process);
        return process;
    }

    /**
     * Kill every tracked process and its current descendants.
     */
    public void killAll() {
        for (ProcessHandle process : this.spawned) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        this.spawned.clear();
    }

}
