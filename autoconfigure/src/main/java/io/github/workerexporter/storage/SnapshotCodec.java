package io.github.workerexporter.storage;

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

}
