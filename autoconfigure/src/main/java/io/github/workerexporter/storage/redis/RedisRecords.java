package io.github.workerexporter.storage.redis;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;

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
        if (value.length == 0 || value[0] != VERSION) {
            throw new StoreException("Worker " + workerId + " has a record of another layout than " + VERSION
                    + " (written by another version of the exporter?)");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value, 1, value.length - 1))) {
            long pid = in.readLong();
            long start = in.readLong();
            long heartbeat = in.readLong();
            WorkerState state = WorkerState.ofLabel(in.readUTF());
            StopReason stopReason = in.readBoolean() ? StopReason.ofLabel(in.readUTF()) : null;
            int length = in.readInt();
            if (length != in.available()) {
                throw new EOFException("metrics of " + length + " bytes expected, " + in.available() + " left");
            }
            // the metrics stay where they are, at the end of the value: no copy
            return new WorkerRecord(workerId, pid, start, heartbeat, state, stopReason, value, value.length - length,
                    length);
        }
        catch (IOException | IllegalArgumentException ex) {
            throw new StoreException("Worker " + workerId + " has a corrupt record", ex);
        }
    }

}
