package io.github.workerexporter.hooks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.hooks.HookManager.NamedHook;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@ExtendWith(OutputCaptureExtension.class)
class HookManagerTests {

    private final List<String> calls = new ArrayList<>();

    @Test
    void aFailingHookIsLoggedOnceWithItsNameAndPhaseAndTheOthersStillRun(CapturedOutput output) {
        HookManager manager = new HookManager(List.of(recording("first"), failing("broken"), recording("last")), false);
        int failures = manager.run(context(HookPhase.WHEN_READY));
        assertThat(failures).isEqualTo(1);
        assertThat(this.calls).containsExactly("first:when_ready", "last:when_ready");
        assertThat(output)
            .containsOnlyOnce("Hook 'broken' failed in when_ready: java.lang.IllegalStateException: boom");
    }

    @Test
    void failFastRethrowsNamingTheHookAndPhase() {
        HookManager manager = new HookManager(List.of(failing("broken"), recording("last")), true);
        assertThatExceptionOfType(HookExecutionException.class)
            .isThrownBy(() -> manager.run(context(HookPhase.ON_EXIT)))
            .withMessageContaining("'broken'")
            .withMessageContaining("on_exit")
            .satisfies((ex) -> assertThat(ex.getPhase()).isEqualTo(HookPhase.ON_EXIT));
        assertThat(this.calls).isEmpty();
    }

    @Test
    void aFatalFailureIsRethrownEvenWithoutFailFast() {
        class Fatal extends RuntimeException implements FatalHookFailure {

        }
        HookManager manager = new HookManager(List.of(new NamedHook("fatal", (context) -> {
            throw new Fatal();
        })), false);
        assertThatExceptionOfType(Fatal.class).isThrownBy(() -> manager.run(context(HookPhase.WHEN_READY)));
    }

    @Test
    void aPhasedHookRunsOnlyInItsPhase() throws Exception {
        ExporterHook hook = ExporterHook.on(HookPhase.POST_FORK, (context) -> this.calls.add("phased"));
        hook.execute(context(HookPhase.WHEN_READY));
        hook.execute(context(HookPhase.POST_FORK));
        assertThat(this.calls).containsExactly("phased");
    }

    @Test
    void safeExecuteReportsWhetherTheActionCompleted() {
        HookManager manager = new HookManager(List.of(), false);
        assertThat(manager.safeExecute("ok", HookPhase.ON_STARTING, () -> this.calls.add("ok"))).isTrue();
        assertThat(manager.safeExecute("bad", HookPhase.ON_STARTING, () -> {
            throw new java.io.IOException("disk");
        })).isFalse();
        assertThat(this.calls).containsExactly("ok");
    }

    private NamedHook recording(String name) {
        return new NamedHook(name, (context) -> this.calls.add(name + ":" + context.phase().hookName()));
    }

    private static NamedHook failing(String name) {
        return new NamedHook(name, (context) -> {
            throw new IllegalStateException("boom");
        });
    }

    private static HookContext context(HookPhase phase) {
        return new HookContext(phase, new GenericApplicationContext(), null, new WorkerIdentity("w1", 1, Instant.now()),
                new HookManager(List.of(), false).getLogger());
    }

}
