package io.github.workerexporter.merge;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One read of the shared store, decoded and classified once ({@link WorkerCensus}): what
 * the merged view, the {@code exporter} health component, the {@code exporter} endpoint
 * and the sidecar all read, so that they cannot disagree.
 *
 * @param workers the workers whose metrics could be decoded, each with its liveness
 * @param undecodable the workers whose record was read but whose metrics could not be
 * decoded: in no state, none of their series served
 * @author Worker Exporter
 */
public record Census(List<KnownWorker> workers, List<UndecodableWorker> undecodable) {

    /**
     * The number of workers in each state, every state present (0 when none).
     * @return the counts in the order alive, stopped, lost
     */
    public Map<Liveness, Integer> countByLiveness() {
        Map<Liveness, Integer> counts = new EnumMap<>(Liveness.class);
        for (Liveness liveness : Liveness.values()) {
            counts.put(liveness, 0);
        }
        this.workers.forEach((worker) -> counts.merge(worker.liveness(), 1, Integer::sum));
        return counts;
    }

    /**
     * A worker whose record was read but whose metrics could not be decoded.
     *
     * @param workerId the worker id
     * @param error why its metrics could not be decoded
     */
    public record UndecodableWorker(String workerId, String error) {

    }

}
