package io.github.workerexporter.storage.redis;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * A {@link WorkerRecord} as the value of one Redis key, written and read whole, so a
 * reader never sees half a record. Big-endian, as {@link DataOutputStream} writes it:
 *
 * <pre>
 *  0  byte    layout version (1)
 *  1  long    pid
 *  9  long    start time, epoch millis
 * 17  long    heartbeat, epoch millis
 * 25  UTF     state (unsigned short length, then modified UTF-8)
 *  …  byte    1 when a stop reason follows, else 0
 *  …  UTF     stop reason
 *  …  int     length of the metrics, then the metrics
 * </pre>
 *
 * @author Worker Exporter
 */
final class RedisRecords {

    private static final int VERSION = 1;

    private RedisRecords() {
    }

    static byte[] encode(WorkerRecord record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + record.metrics().length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(record.pid());
            out.writeLong(record.startTimeMillis());
            out.writeLong(record.heartbeatMillis());
            out.writeUTF(record.state().label());
            StopReason reason = record.stopReason();
            out.writeBoolean(reason != null);
            if (reason != null) {
                out.writeUTF(reason.label());
            }
            out.writeInt(record.metrics().length);
            out.write(record.metrics());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    static WorkerRecord decode(String workerId, byte[] value) {
        return decode(workerId, value, 0, value.length);
    }

    /**
     * Decode the value that takes a range of an array, without a copy: the record's
     * metrics are a range of that array.
     * @param workerId the worker whose value it is
     * @param bytes the array
     * @param offset where the value starts in it
     * @param length the length of the value
     * @return the record
     * @throws StoreException when the value is of another layout or corrupt
     */
    static WorkerRecord decode(String workerId, byte[] bytes, int offset, int length) {
        if (length == 0 || bytes[offset] != VERSION) {
            throw new StoreException("Worker " + workerId + " has a record of another layout than " + VERSION
                    + " (written by another version of the exporter?)");
        }
        try {
            Reader in = new Reader(bytes, offset + 1, offset + length);
            long pid = in.readLong();
            long start = in.readLong();
            long heartbeat = in.readLong();
            WorkerState state = WorkerState.ofLabel(in.readUtf());
            StopReason stopReason = (in.readByte() != 0) ? StopReason.ofLabel(in.readUtf()) : null;
            int metrics = in.readInt();
            if (metrics != in.available()) {
                throw new EOFException("metrics of " + metrics + " bytes expected, " + in.available() + " left");
            }
            // the metrics stay where they are, at the end of the value: no copy
            return new WorkerRecord(workerId, pid, start, heartbeat, state, stopReason, bytes,
                    offset + length - metrics, metrics);
        }
        catch (IOException | IllegalArgumentException ex) {
            throw new StoreException("Worker " + workerId + " has a corrupt record", ex);
        }
    }

    /**
     * Reads what {@link DataOutputStream} wrote in a range of an array, as
     * {@link java.io.DataInputStream} would, without a stream or a buffer per value.
     */
    private static final class Reader {

        private final byte[] bytes;

        private final int end;

        private int position;

        Reader(byte[] bytes, int position, int end) {
            this.bytes = bytes;
            this.position = position;
            this.end = end;
        }

        int available() {
            return this.end - this.position;
        }

        int readByte() throws EOFException {
            require(1);
            return this.bytes[this.position++] & 0xFF;
        }

        int readInt() throws EOFException {
            require(4);
            int value = 0;
            for (int i = 0; i < 4; i++) {
                value = (value << 8) | (this.bytes[this.position++] & 0xFF);
            }
            return value;
        }

        long readLong() throws EOFException {
            require(8);
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (this.bytes[this.position++] & 0xFF);
            }
            return value;
        }

        /**
         * A string of {@link DataOutputStream#writeUTF}: a label, in ASCII; any other
         * byte makes a string no label matches.
         */
        String readUtf() throws EOFException {
            int length = (readByte() << 8) | readByte();
            require(length);
            String value = new String(this.bytes, this.position, length, StandardCharsets.UTF_8);
            this.position += length;
            return value;
        }

        private void require(int length) throws EOFException {
            if (length > available()) {
                throw new EOFException(length + " bytes expected, " + available() + " left");
            }
        }

    }

}
