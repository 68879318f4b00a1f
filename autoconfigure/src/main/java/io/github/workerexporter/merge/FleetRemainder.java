package io.github.workerexporter.merge;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.workerexporter.storage.StoreException;

/**
 * What the fleet view keeps in shared storage so that its counters never go backwards
 * when workers leave the store ({@link FleetFolds} changes it):
 * <ul>
 * <li>{@code base}: the fleet sums of the lives that left the store long ago, encoded by
 * the store's codec (empty: none);</li>
 * <li>{@code folded}: the lives folded but not yet in the base, each with its last known
 * record's metrics (encoded) and heartbeat, and since when it is gone from the store (0:
 * still there);</li>
 * <li>{@code retired}: the lives added to the base, with when, so that none is counted
 * twice should a reader still see its record.</li>
 * </ul>
 * Layout (big-endian): {@code int} version 1; {@code int} length and the base;
 * {@code int} number of folded lives, each: UTF worker id, {@code long} start time,
 * {@code long} heartbeat, {@code long} gone since, {@code int} length and the metrics;
 * {@code int} number of retired lives, each: UTF worker id, {@code long} start time,
 * {@code long} retired at (epoch millis).
 *
 * @param base the sums of the retired lives
 * @param folded the folded lives
 * @param retired the retired lives and when they were retired
 * @author Worker Exporter
 */
record FleetRemainder(byte[] base, Map<Life, Folded> folded, Map<Life, Long> retired) {

    private static final int VERSION = 1;

    static final FleetRemainder EMPTY = new FleetRemainder(new byte[0], Map.of(), Map.of());

    byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(VERSION);
            out.writeInt(this.base.length);
            out.write(this.base);
            out.writeInt(this.folded.size());
            for (Map.Entry<Life, Folded> entry : this.folded.entrySet()) {
                writeLife(out, entry.getKey());
                out.writeLong(entry.getValue().heartbeatMillis());
                out.writeLong(entry.getValue().goneSinceMillis());
                out.writeInt(entry.getValue().metrics().length);
                out.write(entry.getValue().metrics());
            }
            out.writeInt(this.retired.size());
            for (Map.Entry<Life, Long> entry : this.retired.entrySet()) {
                writeLife(out, entry.getKey());
                out.writeLong(entry.getValue());
            }
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return bytes.toByteArray();
    }

    static FleetRemainder decode(byte[] bytes) {
        if (bytes.length == 0) {
            return EMPTY;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readInt();
            if (version != VERSION) {
                throw new StoreException("Unknown fleet remainder version " + version);
            }
            byte[] base = in.readNBytes(in.readInt());
            Map<Life, Folded> folded = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                Life life = readLife(in);
                long heartbeat = in.readLong();
                long goneSince = in.readLong();
                folded.put(life, new Folded(heartbeat, goneSince, in.readNBytes(in.readInt())));
            }
            Map<Life, Long> retired = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                retired.put(readLife(in), in.readLong());
            }
            return new FleetRemainder(base, folded, retired);
        }
        catch (IOException ex) {
            throw new StoreException("Corrupt fleet remainder (" + ex + ")", ex);
        }
    }

    private static void writeLife(DataOutputStream out, Life life) throws IOException {
        out.writeUTF(life.workerId());
        out.writeLong(life.startTimeMillis());
    }

    private static Life readLife(DataInputStream in) throws IOException {
        return new Life(in.readUTF(), in.readLong());
    }

    /**
     * One life of a worker id: a worker id and a start time.
     *
     * @param workerId the worker id
     * @param startTimeMillis the start time of the life
     */
    record Life(String workerId, long startTimeMillis) {

    }

    /**
     * A folded life.
     *
     * @param heartbeatMillis the heartbeat of its last known record
     * @param goneSinceMillis since when it is gone from the store, 0 while it is there
     * @param metrics the encoded metrics of its last known record
     */
    record Folded(long heartbeatMillis, long goneSinceMillis, byte[] metrics) {

    }

}
