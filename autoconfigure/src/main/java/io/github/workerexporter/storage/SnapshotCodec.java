package io.github.workerexporter.storage;

import java.util.Arrays;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * Encodes a worker's metric snapshots into the bytes of a {@link WorkerRecord}, and back.
 *
 * @author Worker Exporter
 */
public interface SnapshotCodec {

    /**
     * Encode snapshots.
     * @param snapshots the snapshots
     * @return the bytes
     */
    byte[] encode(MetricSnapshots snapshots);

    /**
     * Decode bytes written by {@link #encode}.
     * @param bytes the bytes
     * @return the snapshots
     * @throws StoreException when the bytes are not a valid encoding (foreign or corrupt
     * data)
     */
    MetricSnapshots decode(byte[] bytes);

    /**
     * Decode a range of bytes written by {@link #encode}, in place when the codec can.
     * @param bytes the array that holds them
     * @param offset where they start
     * @param length how many bytes they take
     * @return the snapshots
     * @throws StoreException when the bytes are not a valid encoding (foreign or corrupt
     * data)
     */
    default MetricSnapshots decode(byte[] bytes, int offset, int length) {
        if (offset == 0 && length == bytes.length) {
            return decode(bytes);
        }
        return decode(Arrays.copyOfRange(bytes, offset, offset + length));
    }

}
