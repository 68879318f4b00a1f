package io.github.workerexporter.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The data points of one error family ({@code worker_id, method, endpoint, error_type}),
 * capped at a maximum number of label sets. Past the cap a new label set is folded into
 * {@code endpoint="OTHER"}, with one WARN log per family. Folded label sets are not
 * counted against the cap; they are bounded by the standard methods times the error
 * types, both small sets.
 *
 * @author Worker Exporter
 */
final class LabelSetCap {

    /** Endpoint of the label sets folded once the cap is reached. */
    static final String OTHER = "OTHER";

    private static final Log logger = LogFactory.getLog(LabelSetCap.class);

    private final ConcurrentMap<Key, CounterDataPoint> dataPoints = new ConcurrentHashMap<>();

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
        Key key = new Key(method, endpoint, errorType);
        CounterDataPoint dataPoint = this.dataPoints.get(key);
        if (dataPoint == null) {
            dataPoint = (this.size.get() < this.maxLabelSets) ? admit(key) : fold(key);
        }
        dataPoint.inc();
    }

    private CounterDataPoint admit(Key key) {
        return this.dataPoints.computeIfAbsent(key, (k) -> {
            this.size.incrementAndGet();
            return this.counter.labelValues(this.workerId, k.method(), k.endpoint(), k.errorType());
        });
    }

    private CounterDataPoint fold(Key key) {
        if (this.warned.compareAndSet(false, true)) {
            logger.warn("Metric '" + this.counter.getPrometheusName() + "' reached " + this.maxLabelSets
                    + " label sets (exporter.metrics.max-label-sets); new endpoints are recorded as endpoint=\"" + OTHER
                    + "\"");
        }
        Key folded = new Key(key.method(), OTHER, key.errorType());
        return this.dataPoints.computeIfAbsent(folded,
                (k) -> this.counter.labelValues(this.workerId, k.method(), k.endpoint(), k.errorType()));
    }

    private record Key(String method, String endpoint, String errorType) {
    }

}
