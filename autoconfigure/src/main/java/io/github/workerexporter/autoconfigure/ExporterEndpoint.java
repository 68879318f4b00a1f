package io.github.workerexporter.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.merge.Census;
import io.github.workerexporter.merge.Census.UndecodableWorker;
import io.github.workerexporter.merge.CrashDiagnostics;
import io.github.workerexporter.merge.CrashDiagnostics.CrashedLife;
import io.github.workerexporter.merge.DeathDiagnostics;
import io.github.workerexporter.merge.KnownWorker;
import io.github.workerexporter.merge.WorkerCensus;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code exporter} Actuator endpoint: this worker, the workers the shared store knows
 * (alive, stopped or lost, from the same {@link WorkerCensus} as the merged scrape and
 * health, with the {@link DeathDiagnostics} of each lost one and of each crashed previous
 * life its {@link CrashDiagnostics} published) and the effective {@code exporter.*}
 * configuration with its secrets masked. A store that cannot be read gives an
 * {@code error} in the answer, never a failed request.
 *
 * @author Worker Exporter
 */
@Endpoint(id = "exporter")
public class ExporterEndpoint {

    private final WorkerIdentity worker;

    private final @Nullable WorkerCensus census;

    private final Duration heartbeatTimeout;

    private final Map<String, Object> configuration;

    /**
     * Create an endpoint.
     * @param worker this worker
     * @param census the census of the shared store, or {@code null} in in-process mode
     * @param heartbeatTimeout how long a worker may go without a flush and stay alive
     * @param configuration the effective configuration by property name, secrets already
     * masked
     */
    public ExporterEndpoint(WorkerIdentity worker, @Nullable WorkerCensus census, Duration heartbeatTimeout,
            Map<String, Object> configuration) {
        this.worker = worker;
        this.census = census;
        this.heartbeatTimeout = heartbeatTimeout;
        this.configuration = Collections.unmodifiableMap(new TreeMap<>(configuration));
    }

    /**
     * Describe this worker, the store's workers and the configuration.
     * @return the description
     */
    @ReadOperation
    public ExporterDescriptor exporter() {
        ThisWorker self = new ThisWorker(this.worker.id(), this.worker.pid(), this.worker.startTime());
        return new ExporterDescriptor(self, storage(), this.configuration);
    }

    private StorageDescriptor storage() {
        WorkerCensus census = this.census;
        if (census == null) {
            return new StorageDescriptor("none", this.heartbeatTimeout, List.of(), List.of(), null);
        }
        String name = census.store().name();
        try {
            Census taken = census.take();
            List<StoredWorker> workers = taken.workers().stream().map(ExporterEndpoint::stored).toList();
            return new StorageDescriptor(name, this.heartbeatTimeout, workers, taken.undecodable(), null);
        }
        catch (StoreException ex) {
            return new StorageDescriptor(name, this.heartbeatTimeout, List.of(), List.of(), ex.getMessage());
        }
        catch (RuntimeException ex) {
            // The contract is StoreException, but a diagnostics endpoint must answer
            // whatever a user's store throws.
            return new StorageDescriptor(name, this.heartbeatTimeout, List.of(), List.of(),
                    ex.getClass().getSimpleName() + ": " + ex.getMessage());
        }
    }

    private static StoredWorker stored(KnownWorker known) {
        WorkerRecord record = known.record();
        return new StoredWorker(record.workerId(), record.pid(), Instant.ofEpochMilli(record.startTimeMillis()),
                record.state().label(), known.liveness().label(), Instant.ofEpochMilli(record.heartbeatMillis()),
                (record.stopReason() != null) ? record.stopReason().label() : null, known.diagnostics(),
                crashed(known.crashedPreviousLife()));
    }

    private static @Nullable CrashedPreviousLife crashed(@Nullable CrashedLife life) {
        return (life != null) ? new CrashedPreviousLife(life.reason().label(), life.diagnostics()) : null;
    }

    /**
     * What the endpoint answers.
     *
     * @param worker this worker
     * @param storage the shared store and the workers it knows
     * @param configuration the effective {@code exporter.*} configuration, secrets masked
     */
    public record ExporterDescriptor(ThisWorker worker, StorageDescriptor storage,
            Map<String, Object> configuration) implements OperationResponseBody {

    }

    /**
     * This worker (one JVM).
     *
     * @param id the worker id
     * @param pid the process id
     * @param startTime when this JVM started
     */
    public record ThisWorker(String id, long pid, Instant startTime) {

    }

    /**
     * The shared store.
     *
     * @param store the store: {@code none} (in-process), {@code file} or {@code redis}
     * @param heartbeatTimeout how long a worker may go without a flush and stay alive
     * @param workers the workers the store knows whose metrics could be decoded
     * @param undecodable the workers whose metrics could not be decoded (in no state)
     * @param error why the store could not be read, or {@code null}
     */
    public record StorageDescriptor(String store, Duration heartbeatTimeout, List<StoredWorker> workers,
            List<UndecodableWorker> undecodable, @Nullable String error) {

    }

    /**
     * A worker the store knows.
     *
     * @param id the worker id
     * @param pid its process id
     * @param startTime when it started
     * @param state the state it published: {@code starting}, {@code running},
     * {@code stopping} or {@code stopped}
     * @param status {@code alive}, {@code stopped}, or {@code lost} when its heartbeat is
     * older than the heartbeat timeout
     * @param lastHeartbeat when it last flushed
     * @param stopReason why it stopped, or {@code null}
     * @param diagnostics what its last record said, only when it is {@code lost}
     * @param crashedPreviousLife what the last record of the previous life of its worker
     * id said, only when that life ended as {@code crash} or {@code oom}
     */
    public record StoredWorker(String id, long pid, Instant startTime, String state, String status,
            Instant lastHeartbeat, @Nullable String stopReason, @Nullable DeathDiagnostics diagnostics,
            @Nullable CrashedPreviousLife crashedPreviousLife) {

    }

    /**
     * The previous life of a worker id that ended without a clean stop.
     *
     * @param reason {@code crash} or {@code oom}
     * @param diagnostics what its last record said
     */
    public record CrashedPreviousLife(String reason, DeathDiagnostics diagnostics) {

    }

}
