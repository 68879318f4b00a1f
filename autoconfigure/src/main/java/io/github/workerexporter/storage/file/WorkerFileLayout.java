package io.github.workerexporter.storage.file;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.zip.CRC32;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerState;
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
 *  |                   Magic 0x57455846 ("WEXF")                 |   0
 *  +-------------------------------------------------------------+
 *  |                      Layout version (2)                     |   4
 *  +-------------------------------------------------------------+
 *  |  Slot 0 (48 bytes):                                         |   8
 *  |    Generation (64 bits): which slot holds the newer record  |  +0
 *  |    Process id (64 bits)                                     |  +8
 *  |    Start time, epoch millis (64 bits)                       | +16
 *  |    Heartbeat, epoch millis (64 bits)                        | +24
 *  |    Body offset in the file                                  | +32
 *  |    Body length                                              | +36
 *  |    CRC-32 of the body                                       | +40
 *  |    CRC-32 of the slot's bytes +0 to +39 and the body CRC    | +44
 *  +-------------------------------------------------------------+
 *  |  Slot 1 (48 bytes), the same                                |  56
 *  +-------------------------------------------------------------+
 *  |  Bodies of the two slots, anywhere after the slots: the     | 104
 *  |  worker id, state, stop reason ("" = none), each an int    ...
 *  |  length + UTF-8 bytes; then the encoded metrics            ...
 *  |  (SnapshotCodec) up to the body length                     ...
 *  +-------------------------------------------------------------+
 * </pre>
 *
 * The writer alternates between the slots: it writes the new body where the older slot's
 * body was (or past the end of the file, grown, when it does not fit there), then that
 * slot's fields with a higher generation and their CRC. The newer slot and its body are
 * never touched while the other is written, so a writer killed at any instruction
 * ({@code kill -9}) leaves its last complete record whole. A reader takes the slot of the
 * highest generation whose CRCs match; one that sees the other slot's body overwritten
 * under it (a writer two flushes ahead) reads again. A file in which no slot matches its
 * CRCs was damaged by something else.
 *
 * @author Worker Exporter
 */
final class WorkerFileLayout {

    static final int MAGIC = 0x57455846;

    static final int VERSION = 2;

    static final int SLOT_LENGTH = 48;

    static final int HEADER_LENGTH = 8 + 2 * SLOT_LENGTH;

    private static final int CHECKED = 44;

    /**
     * The longest body a writer writes and a reader reads: 64 MiB, far beyond the metrics
     * of any worker, so a hostile header cannot make a reader allocate more.
     */
    static final int MAX_BODY_LENGTH = 64 << 20;

    private static final Labels<WorkerState> STATES = new Labels<>(
            Arrays.stream(WorkerState.values()).map(WorkerState::label).toList(), WorkerState::ofLabel);

    private static final Labels<StopReason> REASONS = new Labels<>(
            Arrays.stream(StopReason.values()).map(StopReason::label).toList(), StopReason::ofLabel);

    private WorkerFileLayout() {
    }

    static int slotOffset(int slot) {
        return 8 + slot * SLOT_LENGTH;
    }

    static byte[] body(WorkerRecord record) {
        byte[] id = record.workerId().getBytes(StandardCharsets.UTF_8);
        byte[] state = record.state().label().getBytes(StandardCharsets.UTF_8);
        byte[] reason = (record.stopReason() != null) ? record.stopReason().label().getBytes(StandardCharsets.UTF_8)
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

    static int crc(byte[] bytes, int length) {
        return crc(bytes, 0, length);
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /**
     * The bytes of a slot.
     */
    static byte[] slot(long generation, WorkerRecord record, int bodyOffset, byte[] body) {
        ByteBuffer slot = ByteBuffer.allocate(SLOT_LENGTH)
            .putLong(generation)
            .putLong(record.pid())
            .putLong(record.startTimeMillis())
            .putLong(record.heartbeatMillis())
            .putInt(bodyOffset)
            .putInt(body.length)
            .putInt(crc(body, body.length));
        slot.putInt(crc(slot.array(), CHECKED));
        return slot.array();
    }

    /**
     * A slot read from a header.
     * @param header the header, {@link #HEADER_LENGTH} bytes
     * @param slot 0 or 1
     * @return the slot, or {@code null} when its CRC does not match (never written, or
     * torn)
     */
    static @Nullable Slot slot(ByteBuffer header, int slot) {
        int at = slotOffset(slot);
        if (header.getInt(at + CHECKED) != crc(header.array(), header.arrayOffset() + at, CHECKED)) {
            return null;
        }
        return new Slot(header.getLong(at), header.getLong(at + 8), header.getLong(at + 16), header.getLong(at + 24),
                header.getInt(at + 32), header.getInt(at + 36), header.getInt(at + 40));
    }

    /**
     * The record of a slot whose body is read into a heap buffer from its position to its
     * limit: its metrics are a range of the buffer's array, not copied, so they are valid
     * as long as the buffer is.
     * @param slot the slot
     * @param body its body
     * @return the record
     * @throws StoreException when the body ends before its strings
     */
    static WorkerRecord record(Slot slot, ByteBuffer body) {
        try {
            String workerId = string(body);
            WorkerState state = STATES.read(body);
            StopReason reason = REASONS.read(body);
            return new WorkerRecord(workerId, slot.pid(), slot.startTimeMillis(), slot.heartbeatMillis(), state, reason,
                    body.array(), body.arrayOffset() + body.position(), body.remaining());
        }
        catch (BufferUnderflowException ex) {
            throw new StoreException("the body ends before its strings");
        }
    }

    private static String string(ByteBuffer body) {
        int length = length(body);
        String string = new String(body.array(), body.arrayOffset() + body.position(), length, StandardCharsets.UTF_8);
        body.position(body.position() + length);
        return string;
    }

    private static int length(ByteBuffer body) {
        int length = body.getInt();
        if (length < 0 || length > body.remaining()) {
            throw new StoreException("string length " + length + " exceeds the body");
        }
        return length;
    }

    /**
     * What {@code ofLabel} answers for each label a writer of this version writes (and
     * for none), found by the label's bytes: a read builds no string for a known label.
     * An unknown label goes to {@code ofLabel}.
     */
    private static final class Labels<E> {

        private final byte[][] labels;

        private final List<@Nullable E> values = new ArrayList<>();

        private final Function<String, @Nullable E> ofLabel;

        Labels(List<String> labels, Function<String, @Nullable E> ofLabel) {
            this.labels = new byte[labels.size() + 1][];
            this.ofLabel = ofLabel;
            for (int i = 0; i <= labels.size(); i++) {
                String label = (i < labels.size()) ? labels.get(i) : "";
                this.labels[i] = label.getBytes(StandardCharsets.UTF_8);
                this.values.add(ofLabel.apply(label));
            }
        }

        @Nullable E read(ByteBuffer body) {
            int length = length(body);
            int from = body.arrayOffset() + body.position();
            body.position(body.position() + length);
            for (int i = 0; i < this.labels.length; i++) {
                if (Arrays.equals(this.labels[i], 0, this.labels[i].length, body.array(), from, from + length)) {
                    return this.values.get(i);
                }
            }
            return this.ofLabel.apply(new String(body.array(), from, length, StandardCharsets.UTF_8));
        }

    }

    /**
     * The fields of one slot whose CRC matched.
     *
     * @param generation higher in the newer slot
     * @param pid the process id
     * @param startTimeMillis the start time
     * @param heartbeatMillis the heartbeat
     * @param bodyOffset where the body is
     * @param bodyLength how long it is
     * @param bodyCrc its CRC-32
     */
    record Slot(long generation, long pid, long startTimeMillis, long heartbeatMillis, int bodyOffset, int bodyLength,
            int bodyCrc) {

    }

}
