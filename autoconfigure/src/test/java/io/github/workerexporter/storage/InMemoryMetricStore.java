package io.github.workerexporter.storage;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store whose records live in this JVM only, for tests of the readers of a store.
 *
 * @author Worker Exporter
 */
public final class InMemoryMetricStore implements MetricStore {

    private final Map<String, WorkerRecord> records = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void publish(WorkerRecord record) {
        this.records.put(record.workerId(), record);
    }

    @Override
    public List<WorkerRecord> readAll() {
        return List.copyOf(this.records.values());
    }

    /**
     * Forget a worker's record, as a store whose data expired.
     * @param workerId the worker
     */
    public void remove(String workerId) {
        this.records.remove(workerId);
    }

    @Override
    public void close() {
    }

}
