package io.github.workerexporter.lifecycle;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerLifecycle}, {@link OutOfMemoryHandler} and the labels of
 * {@link WorkerState} and {@link StopReason}.
 *
 * @author Worker Exporter
 */
class WorkerLifecycleTests {

    private final WorkerLifecycle lifecycle = new WorkerLifecycle();

    @Test
    void startsWithoutAReasonAndKeepsTheFirstReasonNoted() {
        assertThat(this.lifecycle.state()).isEqualTo(WorkerState.STARTING);
        assertThat(this.lifecycle.stopReason()).isNull();
        assertThat(this.lifecycle.stopRequested(StopReason.HUP)).isTrue();
        assertThat(this.lifecycle.stopRequested(StopReason.TERM)).isFalse();
        this.lifecycle.transition(WorkerState.STOPPING);
        assertThat(this.lifecycle.stopReason()).isEqualTo(StopReason.HUP);
    }

    @Test
    void aStopWithoutAReasonIsATerm() {
        this.lifecycle.transition(WorkerState.RUNNING);
        assertThat(this.lifecycle.stopReason()).isNull();
        this.lifecycle.transition(WorkerState.STOPPED);
        assertThat(this.lifecycle.stopReason()).isEqualTo(StopReason.TERM);
    }

    @Test
    void notesAnOutOfMemoryErrorAmongTheCausesAndNothingElse() {
        this.lifecycle.thrown(new IllegalStateException("not memory"));
        assertThat(this.lifecycle.stopReason()).isNull();
        this.lifecycle.thrown(new RuntimeException("Handler dispatch failed", new OutOfMemoryError("Java heap space")));
        assertThat(this.lifecycle.stopReason()).isEqualTo(StopReason.OOM);
        this.lifecycle.stopRequested(StopReason.TERM);
        assertThat(this.lifecycle.stopReason()).isEqualTo(StopReason.OOM);
    }

    @Test
    void theUncaughtExceptionHandlerNotesOomChainsToThePreviousOneAndIsPutBack() throws InterruptedException {
        Thread.UncaughtExceptionHandler original = Thread.getDefaultUncaughtExceptionHandler();
        AtomicReference<Throwable> chained = new AtomicReference<>();
        Thread.UncaughtExceptionHandler previous = (thread, thrown) -> chained.set(thrown);
        Thread.setDefaultUncaughtExceptionHandler(previous);
        OutOfMemoryHandler handler = new OutOfMemoryHandler(this.lifecycle);
        try {
            handler.install();
            assertThat(Thread.getDefaultUncaughtExceptionHandler()).isSameAs(handler);
            OutOfMemoryError error = new OutOfMemoryError("Java heap space");
            Thread thread = new Thread(() -> {
                throw error;
            });
            thread.start();
            thread.join();
            assertThat(this.lifecycle.stopReason()).isEqualTo(StopReason.OOM);
            assertThat(chained.get()).isSameAs(error);
            handler.restore();
            assertThat(Thread.getDefaultUncaughtExceptionHandler()).isSameAs(previous);
        }
        finally {
            Thread.setDefaultUncaughtExceptionHandler(original);
        }
    }

    @Test
    void readsTheLabelsItWritesAndToleratesUnknownOnes() {
        for (WorkerState state : WorkerState.values()) {
            assertThat(WorkerState.ofLabel(state.label())).isEqualTo(state);
        }
        for (StopReason reason : StopReason.values()) {
            assertThat(StopReason.ofLabel(reason.label())).isEqualTo(reason);
        }
        assertThat(WorkerState.ofLabel("quitting")).isEqualTo(WorkerState.RUNNING);
        assertThat(StopReason.ofLabel("")).isNull();
        assertThat(StopReason.OOM.restartType()).isEqualTo("forced");
        assertThat(StopReason.HUP.restartType()).isEqualTo("graceful");
    }

}
