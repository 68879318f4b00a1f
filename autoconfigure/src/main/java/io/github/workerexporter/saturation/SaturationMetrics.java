package io.github.workerexporter.saturation;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import io.github.workerexporter.merge.FailureLog;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The saturation gauges of this worker, labelled {@code worker_id} and computed when
 * scraped (nothing runs on the request path): {@code <prefix>_worker_threads_busy},
 * {@code _worker_threads_max}, {@code _worker_requests_waiting},
 * {@code _worker_connections}, {@code _worker_connections_max},
 * {@code _worker_accept_queue} and {@code _worker_accept_queue_max}. A value the server
 * does not have gives no series, and before the web server has started there are none. A
 * failing read of the accept queue is logged once at WARN, then at DEBUG, and gives no
 * accept queue series; the other families are still served.
 *
 * @author Worker Exporter
 */
public final class SaturationMetrics implements MultiCollector {

    private static final Logger logger = LoggerFactory.getLogger(SaturationMetrics.class);

    private final List<MetricMetadata> families;

    private final Labels labels;

    private final @Nullable AcceptQueue acceptQueue;

    private final FailureLog failures = new FailureLog(logger, "Reading the accept queue from /proc/net/tcp");

    private volatile @Nullable ServerSaturation server;

    /**
     * Create the gauges and register them.
     * @param registry the registry to register on
     * @param prefix the prefix of the family names
     * @param workerId the {@code worker_id} label value
     * @param acceptQueue where accept queues are read, or {@code null} (not Linux)
     */
    public SaturationMetrics(PrometheusRegistry registry, String prefix, String workerId,
            @Nullable AcceptQueue acceptQueue) {
        String name = prefix + "_worker_";
        this.families = List.of(
                new MetricMetadata(name + "threads_busy", "Request threads of the worker busy running a request"),
                new MetricMetadata(name + "threads_max", "Maximum request threads of the worker"),
                new MetricMetadata(name + "requests_waiting", "Requests of the worker waiting for a request thread"),
                new MetricMetadata(name + "connections", "Open connections of the worker"),
                new MetricMetadata(name + "connections_max", "Maximum open connections of the worker"),
                new MetricMetadata(name + "accept_queue",
                        "Connections in the kernel's accept queue of the worker's listening socket"),
                new MetricMetadata(name + "accept_queue_max",
                        "Limit of the kernel's accept queue of the worker's listening socket"));
        this.labels = Labels.of("worker_id", workerId);
        this.acceptQueue = acceptQueue;
        registry.register(this);
    }

    /**
     * Read this server from now on.
     * @param server the application's web server, started
     */
    public void serverStarted(ServerSaturation server) {
        this.server = server;
    }

    @Override
    public MetricSnapshots collect() {
        ServerSaturation server = this.server;
        if (server == null) {
            return MetricSnapshots.of();
        }
        ServerReading reading = server.read();
        long[] values = { reading.threadsBusy(), reading.threadsMax(), reading.requestsWaiting(), reading.connections(),
                reading.connectionsMax(), ServerReading.NONE, ServerReading.NONE };
        ListenSocket socket = server.listenSocket();
        if (socket != null && this.acceptQueue != null) {
            values[5] = acceptQueueLength(this.acceptQueue, socket);
            values[6] = (values[5] >= 0) ? this.acceptQueue.limit(socket) : ServerReading.NONE;
        }
        MetricSnapshots.Builder result = MetricSnapshots.builder();
        for (int i = 0; i < values.length; i++) {
            if (values[i] >= 0) {
                result.metricSnapshot(new GaugeSnapshot(this.families.get(i),
                        List.of(GaugeDataPointSnapshot.builder().labels(this.labels).value(values[i]).build())));
            }
        }
        return result.build();
    }

    private long acceptQueueLength(AcceptQueue acceptQueue, ListenSocket socket) {
        try {
            long length = acceptQueue.length(socket);
            this.failures.succeeded();
            return length;
        }
        catch (IOException ex) {
            this.failures.failed(ex);
            return ServerReading.NONE;
        }
    }

    @Override
    public List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
        return this.families.stream()
            .map((metadata) -> MetricFamilyDescriptor.of(MetricType.GAUGE, metadata, Set.of("worker_id")))
            .toList();
    }

    @Override
    public List<String> getPrometheusNames() {
        return this.families.stream().map(MetricMetadata::getPrometheusName).toList();
    }

}
