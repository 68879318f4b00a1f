package io.github.workerexporter.publish;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.storage.WorkerIdConflictException;
import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.storage.WorkerLife;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * Whether this worker's id is shared with another live process, and the id it publishes
 * under: the one owner of that state, which the flusher updates and the {@code exporter}
 * health component reads.
 * <p>
 * A process that finds its worker id held by another live process (a different life: pid,
 * host, start time) logs one ERROR naming the id, both processes and the fix, and from
 * then on publishes under a derived id, {@code <id>~<pid>} (then
 * {@code <id>~<pid>-<start time>} should that one be taken too), so that the totals of
 * both processes are counted. It counts each conflict in
 * {@code <prefix>_master_worker_id_conflicts_total{worker_id}} ({@code worker_id} is the
 * derived id): a collector registered on the registry like every other family, so it is
 * published with the worker's record and the merged view sums it as any counter. It has
 * no series while there was no conflict.
 *
 * @author Worker Exporter
 */
public final class WorkerIdConflict implements MultiCollector {

    static final String HELP = "Number of times a worker found its worker id held by another live process"
            + " and published under a derived id";

    private static final Logger logger = LoggerFactory.getLogger(WorkerIdConflict.class);

    private final String workerId;

    private final WorkerLife life;

    private final AtomicInteger conflicts = new AtomicInteger();

    private final String prefix;

    private volatile String publishedId;

    private volatile @Nullable String reason;

    /**
     * The state of a worker that has found no conflict yet.
     * @param prefix the metric prefix of the conflicts family
     * @param workerId the configured worker id
     * @param life this process
     */
    public WorkerIdConflict(String prefix, String workerId, WorkerLife life) {
        this.prefix = prefix;
        this.workerId = workerId;
        this.life = life;
        this.publishedId = workerId;
    }

    /**
     * The state of this JVM's life as a worker that has found no conflict yet.
     * @param prefix the metric prefix of the conflicts family
     * @param worker this worker
     * @return the state
     */
    public static WorkerIdConflict of(String prefix, WorkerIdentity worker) {
        return new WorkerIdConflict(prefix, worker.id(),
                new WorkerLife(worker.pid(), WorkerIdentity.hostName(), worker.startTime().toEpochMilli()));
    }

    /**
     * This process.
     * @return its life
     */
    public WorkerLife life() {
        return this.life;
    }

    /**
     * The id this worker publishes under: the configured one, or a derived one after a
     * conflict.
     * @return the id
     */
    public String publishedId() {
        return this.publishedId;
    }

    /**
     * Why this worker's id is in conflict, for health.
     * @return the reason, or {@code null} while there is none
     */
    public @Nullable String reason() {
        return this.reason;
    }

    /**
     * Note a conflict on the id published so far, log it and derive the next id.
     * @param ex what the store said
     */
    void detected(WorkerIdConflictException ex) {
        int count = this.conflicts.incrementAndGet();
        String derived = this.workerId + "~" + this.life.pid() + ((count == 1) ? ""
                : "-" + Long.toString(this.life.startTimeMillis(), 36) + ((count == 2) ? "" : "-" + count));
        String holder = (ex.getHolder() != null) ? ex.getHolder().toString() : "another process";
        String reason = "Worker id '" + ex.getWorkerId() + "' is used by two live processes: " + holder
                + " holds it and this process, " + this.life + ", also uses it. " + "This process publishes as '"
                + derived + "' from now on, so both are counted, but each process needs an id of its own: set"
                + " exporter.worker.id (EXPORTER_WORKER_ID) to a unique value per process, or leave it unset for"
                + " host name and pid";
        logger.error(reason);
        this.reason = reason;
        this.publishedId = derived;
    }

    /**
     * The conflicts family, or nothing while there was none.
     * @return the family for this worker's record
     */
    @Override
    public MetricSnapshots collect() {
        int count = this.conflicts.get();
        if (count == 0) {
            return MetricSnapshots.of();
        }
        return MetricSnapshots.of(CounterSnapshot.builder()
            .name(name())
            .help(HELP)
            .dataPoint(new CounterDataPointSnapshot(count, Labels.of("worker_id", this.publishedId), null, 0))
            .build());
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(name());
    }

    private String name() {
        return this.prefix + "_master_worker_id_conflicts";
    }

}
