package io.github.workerexporter.metrics;

import java.util.List;

import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import org.jspecify.annotations.Nullable;

/**
 * A Prometheus counter of one data point (one label set) that threads sharing it
 * increment without contending, on {@link Stripes}: client_java's counter data point is a
 * {@code LongAdder}, whose base field two cores pass back and forth. The exposition is
 * client_java's own: the snapshot is its model's {@link CounterSnapshot}, named without
 * {@code _total} as its {@code Counter} names it.
 *
 * @author Worker Exporter
 */
final class StripedCounter extends OneDataPointCollector {

    private final Stripes stripes = new Stripes(1);

    private @Nullable RequestHistogram exemplarSource;

    /**
     * A counter of one data point.
     * @param name the family name, with or without {@code _total}
     * @param help the HELP text
     * @param labelName the name of the data point's one label
     * @param labelValue its value
     */
    StripedCounter(String name, String help, String labelName, String labelValue) {
        super(new MetricMetadata(name.endsWith("_total") ? name.substring(0, name.length() - 6) : name, help),
                MetricType.COUNTER, labelName, labelValue);
    }

    /**
     * Take the counter's exemplar from a histogram that records the same requests: the
     * newest of its exemplars.
     * @param histogram the histogram
     */
    void exemplarsOf(RequestHistogram histogram) {
        this.exemplarSource = histogram;
    }

    /**
     * Add one.
     */
    void inc() {
        int stripe = Stripes.claim();
        try {
            inc(stripe);
        }
        finally {
            Stripes.release(stripe);
        }
    }

    /**
     * Add one on a stripe the caller has claimed.
     * @param stripe what {@link Stripes#claim()} answered
     */
    void inc(int stripe) {
        this.stripes.add(stripe, 0, 1);
    }

    @Override
    public CounterSnapshot collect() {
        RequestHistogram source = this.exemplarSource;
        Exemplar exemplar = (source != null) ? RequestExemplars.newest(source.exemplars()) : null;
        return new CounterSnapshot(this.metadata, List
            .of(new CounterDataPointSnapshot(this.stripes.sum(0), this.labels, exemplar, this.createdTimestampMillis)));
    }

}
