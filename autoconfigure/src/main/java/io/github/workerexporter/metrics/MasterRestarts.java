package io.github.workerexporter.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.lifecycle.StopReason;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The one owner of the master's restart families, a collector registered on the
 * application's registry:
 * <ul>
 * <li>{@code <prefix>_master_worker_restart_total{reason}}: each restart of a worker id,
 * counted once, with the {@link StopReason} its previous life ended with ({@code term},
 * {@code int}, {@code hup}, {@code error}, {@code crash}, {@code oom}), plus the signals
 * that do not end the JVM ({@code usr1}, {@code usr2}, {@code ttin}, {@code ttou},
 * {@code chld}), counted at receipt. In the merged view it is summed over workers.</li>
 * <li>{@code <prefix>_master_worker_restart_count_total{worker_id,reason,restart_type}}:
 * the same restarts of this worker id, without the signals.</li>
 * </ul>
 * A restart is counted by the life that follows it, which learns how its previous life
 * ended from the record that life left in shared storage, and carries what that life
 * counted ({@link #carry}), so both families survive every restart. TERM, INT and HUP are
 * therefore not counted when received: they end this life, and the next life counts them.
 * In-process mode (no shared store) has no previous life to read: nothing survives the
 * JVM, so the restart reasons stay 0 there and only the signals that do not end the JVM
 * are counted. Every label set is exported from the start with the value 0.
 *
 * @author Worker Exporter
 */
public class MasterRestarts implements MultiCollector {

    /**
     * The signals handled, lower case: TERM, INT and HUP note a {@link StopReason}; the
     * others are counted when received.
     */
    public static final List<String> SIGNALS = List.of("hup", "int", "term", "usr1", "usr2", "ttin", "ttou", "chld");

    private static final String HELP = "Total number of Gunicorn worker restarts";

    private static final String COUNT_HELP = "Total number of worker restarts by reason and worker";

    private final String restartFamily;

    private final String countFamily;

    private final String workerId;

    private final Map<String, LongAdder> received = new LinkedHashMap<>();

    private final Map<String, Double> carried = new LinkedHashMap<>();

    private final Map<StopReason, Double> carriedCounts = new LinkedHashMap<>();

    /**
     * Create the families.
     * @param prefix the prefix of the family names
     * @param workerId the {@code worker_id} label value
     */
    public MasterRestarts(String prefix, String workerId) {
        this.restartFamily = prefix + "_master_worker_restart";
        this.countFamily = prefix + "_master_worker_restart_count";
        this.workerId = workerId;
        for (String signal : SIGNALS) {
            if (endingReason(signal) == null) {
                this.received.put(signal, new LongAdder());
            }
        }
    }

    /**
     * The reason a signal ends a life with.
     * @param signal a signal of {@link #SIGNALS}
     * @return {@code term}, {@code int} or {@code hup}; {@code null} for the signals that
     * do not end the JVM
     */
    public static @Nullable StopReason endingReason(String signal) {
        return switch (signal) {
            case "term" -> StopReason.TERM;
            case "int" -> StopReason.INT;
            case "hup" -> StopReason.HUP;
            default -> null;
        };
    }

    /**
     * The name of the restart family without {@code _total}.
     * @return the name
     */
    public String restartFamily() {
        return this.restartFamily;
    }

    /**
     * The name of the per-worker restart family without {@code _total}.
     * @return the name
     */
    public String countFamily() {
        return this.countFamily;
    }

    /**
     * Count a signal that does not end the JVM.
     * @param signal one of {@link #SIGNALS} whose {@link #endingReason} is {@code null}
     * @throws IllegalArgumentException for another signal
     */
    public void signal(String signal) {
        LongAdder adder = this.received.get(signal);
        if (adder == null) {
            throw new IllegalArgumentException("Not counted at receipt: " + signal);
        }
        adder.increment();
    }

    /**
     * Forget what was carried: the records read were not previous lives of this worker
     * after all (another live process held the id, see the conflicts of a worker id).
     */
    public synchronized void forgetCarried() {
        this.carried.clear();
        this.carriedCounts.clear();
    }

    /**
     * Carry a previous life of this worker id: what it counted and the restart that
     * followed it.
     * @param restarts its values of the restart family by {@code reason}
     * @param counts its values of the per-worker family by {@code reason}
     * @param ended the reason it ended with
     */
    public synchronized void carry(Map<String, Double> restarts, Map<String, Double> counts, StopReason ended) {
        restarts.forEach((reason, value) -> this.carried.merge(reason, value, Double::sum));
        counts.forEach((label, value) -> {
            StopReason reason = StopReason.ofLabel(label);
            if (reason != null) {
                this.carriedCounts.merge(reason, value, Double::sum);
            }
        });
        this.carried.merge(ended.label(), 1.0, Double::sum);
        this.carriedCounts.merge(ended, 1.0, Double::sum);
    }

    @Override
    public synchronized MetricSnapshots collect() {
        Map<String, Double> restarts = new LinkedHashMap<>();
        SIGNALS.forEach((signal) -> restarts.put(signal, 0.0));
        for (StopReason reason : StopReason.values()) {
            restarts.put(reason.label(), 0.0);
        }
        this.received.forEach((signal, count) -> restarts.merge(signal, count.doubleValue(), Double::sum));
        this.carried.forEach((reason, value) -> restarts.merge(reason, value, Double::sum));
        CounterSnapshot.Builder master = CounterSnapshot.builder().name(this.restartFamily).help(HELP);
        restarts.forEach((reason, value) -> master
            .dataPoint(new CounterDataPointSnapshot(value, Labels.of("reason", reason), null, 0)));
        CounterSnapshot.Builder counts = CounterSnapshot.builder().name(this.countFamily).help(COUNT_HELP);
        for (StopReason reason : StopReason.values()) {
            counts.dataPoint(
                    new CounterDataPointSnapshot(this.carriedCounts.getOrDefault(reason, 0.0), Labels.of("worker_id",
                            this.workerId, "reason", reason.label(), "restart_type", reason.restartType()), null, 0));
        }
        return new MetricSnapshots(master.build(), counts.build());
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(this.restartFamily, this.countFamily);
    }

}
