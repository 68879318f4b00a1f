package io.github.workerexporter.storage;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The store of a single worker with no shared storage: records live in this JVM only.
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

    @Override
    public void remove(String workerId) {
        this.records.remove(workerId);
    }

    @Override
    public void close() {
    }

}
