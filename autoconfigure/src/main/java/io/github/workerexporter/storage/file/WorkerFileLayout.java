package io.github.workerexporter.storage.file;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * The byte layout of one worker's file in the shared directory. One writer per file (the
 * worker itself, through positional writes); any number of readers in other JVMs. All
 * numbers are big-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------------------------------------+
 *  |                   Magic 0x57455846 ("WEXF")                 |  0
 *  +-------------------------------------------------------------+
 *  |                      Layout version (1)                     |  4
 *  +-------------------------------------------------------------+
 *  |                 Sequence (seqlock, 64 bits)                 |  8
 *  |             odd while a write is in progress                |
 *  +-------------------------------------------------------------+
 *  |                  Process id (64 bits)                       | 16
 *  +-------------------------------------------------------------+
 *  |             Start time, epoch millis (64 bits)              | 24
 *  +-------------------------------------------------------------+
 *  |             Heartbeat, epoch millis (64 bits)               | 32
 *  +-------------------------------------------------------------+
 *  |                       Body length                           | 40
 *  +-------------------------------------------------------------+
 *  |                       CRC-32 of body                        | 44
 *  +-------------------------------------------------------------+
 *  |  Body: worker id, state, stop reason ("" = none), each an  ...  48
 *  |  int length + UTF-8 bytes; then the encoded metrics         |
 *  |  (SnapshotCodec) up to the body length                     ...
 *  +-------------------------------------------------------------+
 *  |  Unused capacity (the file grows by doubling)              ...
 *  +-------------------------------------------------------------+
 * </pre>
 *
 * The writer writes {@code sequence + 1} (odd), then the fields and the body, then
 * {@code sequence + 2}, each a positional write that ends before the next begins. A
 * reader reads the sequence, the header and body, then the sequence again, and retries
 * when it was odd or changed; the CRC catches what a seqlock cannot: a file damaged by
 * something else. A writer killed between its two sequence writes leaves the sequence odd
 * for ever: a reader that finds the writer's process gone reads the record without the
 * seqlock and keeps it only when the CRC matches.
 *
 * @author Worker Exporter
 */
final class WorkerFileLayout {

    static final int MAGIC = 0x57455846;

    static final int VERSION = 1;

    static final int SEQUENCE = 8;

    static final int PID = 16;

    static final int START_TIME = 24;

    static final int HEARTBEAT = 32;

    static final int BODY_LENGTH = 40;

    static final int BODY_CRC = 44;

    static final int HEADER_LENGTH = 48;

    /**
     * The longest body a writer writes and a reader reads: 64 MiB, far beyond the metrics
     * of any worker, so a hostile header cannot make a reader allocate more.
     */
    static final int MAX_BODY_LENGTH = 64 << 20;

    private WorkerFileLayout() {
    }

    static byte[] body(WorkerRecord record) {
        byte[] id = record.workerId().getBytes(StandardCharsets.UTF_8);
        byte[] state = record.state().getBytes(StandardCharsets.UTF_8);
        byte[] reason = (record.stopReason() != null) ? record.stopReason().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        long length = 12L + id.length + state.length + reason.length + record.metrics().length;
        if (length > MAX_BODY_LENGTH) {
            throw new StoreException("The record of worker " + record.workerId() + " has " + length
                    + " bytes, over the maximum of " + MAX_BODY_LENGTH);
        }
        ByteBuffer body = ByteBuffer.allocate(12 + id.length + state.length + reason.length + record.metrics().length);
        body.putInt(id.length).put(id).putInt(state.length).put(state).putInt(reason.length).put(reason);
        body.put(record.metrics());
        return body.array();
    }

    static WorkerRecord record(ByteBuffer header, ByteBuffer body) {
        try {
            String workerId = string(body);
            String state = string(body);
            String reason = string(body);
            byte[] metrics = new byte[body.remaining()];
            body.get(metrics);
            @Nullable String stopReason = reason.isEmpty() ? null : reason;
            return new WorkerRecord(workerId, header.getLong(PID), header.getLong(START_TIME),
                    header.getLong(HEARTBEAT), state, stopReason, metrics);
        }
        catch (BufferUnderflowException ex) {
            throw new StoreException("the body ends before its strings");
        }
    }

    private static String string(ByteBuffer body) {
        int length = body.getInt();
        if (length < 0 || length > body.remaining()) {
            throw new StoreException("string length " + length + " exceeds the body");
        }
        byte[] bytes = new byte[length];
        body.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

}
