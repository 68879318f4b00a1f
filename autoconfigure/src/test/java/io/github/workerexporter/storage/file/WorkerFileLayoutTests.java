package io.github.workerexporter.storage.file;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.WorkerFileLayout.Slot;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerFileLayout}: the record of a body, its metrics a view of the
 * buffer it was read into.
 *
 * @author Worker Exporter
 */
class WorkerFileLayoutTests {

    private static final Slot SLOT = new Slot(3, 42, 1000, 2000, WorkerFileLayout.HEADER_LENGTH, 0, 0);

    @Test
    void readsEveryStateAndStopReasonAWriterWrites() {
        for (WorkerState state : WorkerState.values()) {
            for (StopReason reason : StopReason.values()) {
                WorkerRecord record = new WorkerRecord("w", 42, 1000, 2000, state, reason, new byte[] { 1, 2 });
                assertThat(WorkerFileLayout.record(SLOT, ByteBuffer.wrap(WorkerFileLayout.body(record))))
                    .isEqualTo(record);
            }
            WorkerRecord record = new WorkerRecord("w", 42, 1000, 2000, state, null, new byte[0]);
            assertThat(WorkerFileLayout.record(SLOT, ByteBuffer.wrap(WorkerFileLayout.body(record)))).isEqualTo(record);
        }
    }

    @Test
    void readsTheLabelsOfAnotherVersionAsTheStatesAndReasonsDo() {
        WorkerRecord record = WorkerFileLayout.record(SLOT, body("wörker", "paused", "solar-flare", new byte[] { 7 }));
        assertThat(record.workerId()).isEqualTo("wörker");
        assertThat(record.state()).isEqualTo(WorkerState.ofLabel("paused")).isEqualTo(WorkerState.RUNNING);
        assertThat(record.stopReason()).isEqualTo(StopReason.ofLabel("solar-flare")).isNull();
        assertThat(record.metrics()).containsExactly(7);
    }

    @Test
    void theMetricsOfARecordViewTheBufferItWasReadInto() {
        ByteBuffer body = body("w", "running", "", new byte[] { 1, 2, 3 });
        WorkerRecord record = WorkerFileLayout.record(SLOT, body);
        assertThat(record.metrics()).containsExactly(1, 2, 3);
        body.put(body.limit() - 1, (byte) 9);
        assertThat(record.metrics()).containsExactly(1, 2, 9);
    }

    private static ByteBuffer body(String id, String state, String reason, byte[] metrics) {
        byte[][] strings = { id.getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8),
                reason.getBytes(StandardCharsets.UTF_8) };
        ByteBuffer body = ByteBuffer
            .allocate(12 + strings[0].length + strings[1].length + strings[2].length + metrics.length);
        for (byte[] string : strings) {
            body.putInt(string.length).put(string);
        }
        return body.put(metrics).flip();
    }

}
