package io.github.workerexporter.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The data points of one error family ({@code worker_id, method, endpoint, error_type}),
 * capped at a maximum number of label sets. Past the cap a new label set is folded into
 * {@code endpoint="OTHER"}, with one WARN log per family. Folded label sets are not
 * counted against the cap; they are bounded by the standard methods times the error
 * types, both small sets.
 * <p>
 * The data points are kept in maps nested by method, endpoint and error type, so that
 * recording a label set seen before allocates nothing (a composite key would allocate on
 * every lookup).
 *
 * @author Worker Exporter
 */
final class LabelSetCap {

    /** Endpoint of the label sets folded once the cap is reached. */
    static final String OTHER = "OTHER";

    private static final Log logger = LogFactory.getLog(LabelSetCap.class);

    private final ConcurrentMap<String, ConcurrentMap<String, ConcurrentMap<String, CounterDataPoint>>> dataPoints = new ConcurrentHashMap<>();

    private final AtomicInteger size = new AtomicInteger();

    private final AtomicBoolean warned = new AtomicBoolean();

    private final Counter counter;

    private final String workerId;

    private final int maxLabelSets;

    LabelSetCap(Counter counter, String workerId, int maxLabelSets) {
        this.counter = counter;
        this.workerId = workerId;
        this.maxLabelSets = maxLabelSets;
    }

    void inc(String method, String endpoint, String errorType) {
        CounterDataPoint dataPoint = find(method, endpoint, errorType);
        if (dataPoint == null) {
            dataPoint = (this.size.get() < this.maxLabelSets) ? admit(method, endpoint, errorType)
                    : fold(method, errorType);
        }
        dataPoint.inc();
    }

    private @Nullable CounterDataPoint find(String method, String endpoint, String errorType) {
        ConcurrentMap<String, ConcurrentMap<String, CounterDataPoint>> byEndpoint = this.dataPoints.get(method);
        ConcurrentMap<String, CounterDataPoint> byErrorType = (byEndpoint != null) ? byEndpoint.get(endpoint) : null;
        return (byErrorType != null) ? byErrorType.get(errorType) : null;
    }

    private CounterDataPoint admit(String method, String endpoint, String errorType) {
        return leaves(method, endpoint).computeIfAbsent(errorType, (type) -> {
            this.size.incrementAndGet();
            return this.counter.labelValues(this.workerId, method, endpoint, type);
        });
    }

    private CounterDataPoint fold(String method, String errorType) {
        if (this.warned.compareAndSet(false, true)) {
            logger.warn("Metric '" + this.counter.getMetadata().getPrometheusName() + "' reached " + this.maxLabelSets
                    + " label sets (exporter.metrics.max-label-sets); new endpoints are recorded as endpoint=\"" + OTHER
                    + "\"");
        }
        return leaves(method, OTHER).computeIfAbsent(errorType,
                (type) -> this.counter.labelValues(this.workerId, method, OTHER, type));
    }

    private ConcurrentMap<String, CounterDataPoint> leaves(String method, String endpoint) {
        return this.dataPoints.computeIfAbsent(method, (m) -> new ConcurrentHashMap<>())
            .computeIfAbsent(endpoint, (e) -> new ConcurrentHashMap<>());
    }

}
