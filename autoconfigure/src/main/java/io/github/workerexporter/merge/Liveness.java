package io.github.workerexporter.merge;

import java.util.Locale;

/**
 * Whether a worker the shared store knows still runs, as the master view decides it once
 * per read of the store ({@link WorkerCensus}): the state of
 * {@code <prefix>_master_workers}, of the {@code exporter} health component and of the
 * {@code exporter} endpoint.
 *
 * @author Worker Exporter
 */
public enum Liveness {

    /**
     * It did not say it stopped and its last flush is at most the heartbeat timeout old.
     */
    ALIVE,

    /**
     * It said it stopped (its last record's state is {@code stopped}).
     */
    STOPPED,

    /**
     * It did not say it stopped and its last flush is older than the heartbeat timeout:
     * it died without a clean stop ({@code kill -9}, a kernel OOM kill, a lost host) or
     * hangs.
     */
    LOST;

    /**
     * The label of this state, as in {@code <prefix>_master_workers{state}}.
     * @return {@code alive}, {@code stopped} or {@code lost}
     */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

}
