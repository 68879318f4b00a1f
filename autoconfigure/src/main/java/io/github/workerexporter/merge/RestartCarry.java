package io.github.workerexporter.merge;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.metrics.MasterRestarts;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * Reads the previous lives of this worker id in a read of the store and hands each to
 * {@link MasterRestarts#carry}: what it published of the two master restart families, and
 * the reason it ended with ({@link StopReason#CRASH} when its last record has none). A
 * previous life is a record under the same worker id with another start time, read before
 * the first publish. A previous life whose data expired (retention) is not seen; one
 * whose metrics cannot be decoded counts as a restart without carrying its counts (logged
 * once).
 *
 * @author Worker Exporter
 */
public final class RestartCarry {

    private static final Logger logger = LoggerFactory.getLogger(RestartCarry.class);

    private RestartCarry() {
    }

    /**
     * Carry the previous lives of a worker id found in a read of the store, replacing
     * what an earlier read carried (an empty read carries nothing).
     * @param records every record of the read
     * @param workerId this worker's id
     * @param startTimeMillis this life's start time
     * @param codec the codec of the metrics
     * @param restarts where they are carried
     */
    public static void carry(List<WorkerRecord> records, String workerId, long startTimeMillis, SnapshotCodec codec,
            MasterRestarts restarts) {
        carry(records, workerId, startTimeMillis, codec, restarts, null);
    }

    /**
     * Carry the previous lives of a worker id found in a read of the store, as
     * {@link #carry(List, String, long, SnapshotCodec, MasterRestarts)} does, and note in
     * {@code crashes} what the last record of a life that crashed said.
     * @param records every record of the read
     * @param workerId this worker's id
     * @param startTimeMillis this life's start time
     * @param codec the codec of the metrics
     * @param restarts where they are carried
     * @param crashes where the diagnostics of a crashed previous life go, if anywhere
     */
    public static void carry(List<WorkerRecord> records, String workerId, long startTimeMillis, SnapshotCodec codec,
            MasterRestarts restarts, @Nullable CrashDiagnostics crashes) {
        restarts.forgetCarried();
        if (crashes != null) {
            crashes.forget();
        }
        for (WorkerRecord previous : records) {
            if (previous.workerId().equals(workerId) && previous.startTimeMillis() != startTimeMillis) {
                MetricSnapshots published = decode(previous, codec);
                StopReason ended = (previous.stopReason() != null) ? previous.stopReason() : StopReason.CRASH;
                restarts.carry(byReason(published, restarts.restartFamily()),
                        byReason(published, restarts.countFamily()), ended);
                if (crashes != null) {
                    crashes.previousLifeEnded(ended, DeathDiagnostics.of(published, crashes.prefix(),
                            Instant.ofEpochMilli(previous.heartbeatMillis())));
                }
            }
        }
    }

    private static Map<String, Double> byReason(MetricSnapshots snapshots, String family) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (MetricSnapshot snapshot : snapshots) {
            if (snapshot instanceof CounterSnapshot counter
                    && counter.getMetadata().getPrometheusName().equals(family)) {
                counter.getDataPoints().forEach((point) -> {
                    String reason = point.getLabels().get("reason");
                    if (reason != null) {
                        values.merge(reason, point.getValue(), Double::sum);
                    }
                });
            }
        }
        return values;
    }

    private static MetricSnapshots decode(WorkerRecord previous, SnapshotCodec codec) {
        try {
            return previous.decodeMetrics(codec);
        }
        catch (StoreException ex) {
            logger.warn("The restart counts of the previous life of worker {} are not carried: {}", previous.workerId(),
                    ex.getMessage());
            return MetricSnapshots.of();
        }
    }

}
