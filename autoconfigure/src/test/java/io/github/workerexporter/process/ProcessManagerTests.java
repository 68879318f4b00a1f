package io.github.workerexporter.process;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ProcessManager}, on real child processes of the test JVM.
 *
 * @author Worker Exporter
 */
@EnabledOnOs({ OS.LINUX, OS.MAC })
@ExtendWith(OutputCaptureExtension.class)
class ProcessManagerTests {

    /**
     * Long enough for any process that obeys TERM; a cleanup of such processes returns as
     * soon as they have exited.
     */
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    private final SpawnedProcesses processes = new SpawnedProcesses();

    @AfterEach
    void killSpawnedProcesses() {
        this.processes.killAll();
    }

    @Test
    void terminatesChildThatExitsOnTerm(CapturedOutput output) throws Exception {
        Process child = this.processes.start("exec sleep 300");
        CleanupResult result = new ProcessManager(GENEROUS).cleanup();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(result.terminated()).containsExactly(child.pid());
        assertThat(result.killed()).isEmpty();
        // The command is read as the process is at that moment: "sh" while it still execs
        // into sleep.
        assertThat(output).containsPattern("Terminating child process: .+ \\(PID: " + child.pid() + "\\)");
    }

    @Test
    void terminatesGrandchildrenToo() throws Exception {
        Process parent = this.processes.start("sleep 300 & wait");
        ProcessHandle grandchild = awaitOnlyChildOf(parent.toHandle());
        CleanupResult result = new ProcessManager(GENEROUS).cleanup();
        assertThat(parent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(grandchild.onExit()).succeedsWithin(Duration.ofSeconds(30));
        assertThat(result.terminated()).containsExactlyInAnyOrder(parent.pid(), grandchild.pid());
        assertThat(result.killed()).isEmpty();
    }

    @Test
    void killsChildThatIgnoresTermAfterTimeout(CapturedOutput output) throws Exception {
        Process obeying = this.processes.start("exec sleep 300");
        Process ignoring = this.processes.start("trap '' TERM; exec sleep 301");
        awaitCommandLine(ignoring.toHandle(), "sleep 301");
        CleanupResult result = new ProcessManager(Duration.ofMillis(500)).cleanup();
        assertThat(obeying.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ignoring.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(result.terminated()).containsExactly(obeying.pid());
        assertThat(result.killed()).containsExactly(ignoring.pid());
        assertThat(output).contains("Force killing child process: ")
            .contains("sleep 301 (PID: " + ignoring.pid() + ")");
    }

    @Test
    void leavesProcessesThatAreNotDescendantsAlone() throws Exception {
        ProcessHandle orphan = startOrphan();
        CleanupResult result = new ProcessManager(GENEROUS).cleanup();
        assertThat(result.terminated()).doesNotContain(orphan.pid());
        assertThat(result.killed()).doesNotContain(orphan.pid());
        assertThat(orphan.isAlive()).isTrue();
    }

    @Test
    void doesNothingWithoutChildren() {
        CleanupResult result = new ProcessManager(GENEROUS).cleanup();
        assertThat(result.terminated()).isEmpty();
        assertThat(result.killed()).isEmpty();
    }

    @Test
    void rejectsNegativeTimeout() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ProcessManager(Duration.ofSeconds(-1)));
    }

    private static ProcessHandle awaitOnlyChildOf(ProcessHandle parent) {
        await().atMost(Duration.ofSeconds(30)).until(() -> parent.children().count() == 1);
        return parent.children().findFirst().orElseThrow();
    }

    /**
     * Wait until the shell has set up its trap and replaced itself with the command, so
     * that TERM is ignored from then on.
     */
    private static void awaitCommandLine(ProcessHandle process, String commandLine) {
        await().atMost(Duration.ofSeconds(30))
            .until(() -> process.info().commandLine().orElse("").endsWith(commandLine));
    }

    /**
     * Start a sleep whose parent shell exits at once, so that it is handed to init and is
     * no longer a descendant of this JVM.
     */
    private ProcessHandle startOrphan() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!").start();
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII))) {
            long pid = Long.parseLong(reader.readLine().trim());
            ProcessHandle orphan = this.processes.track(ProcessHandle.of(pid).orElseThrow());
            assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(ProcessHandle.current().descendants()).doesNotContain(orphan);
            return orphan;
        }
    }

}
