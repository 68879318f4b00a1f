package io.github.workerexporter.merge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * The order of a merged family kept from one scrape to the next ({@link SeriesOrder}):
 * reused while every series arrives with the label set it arrived with the last time,
 * sorted anew when a worker joins or leaves, a label set changes, or the workers arrive
 * in another order; the series handed to the snapshot are sorted in every case.
 */
class SeriesOrderTests {

    private final Map<String, Labels> decoded = new HashMap<>();

    @Test
    void reusesTheLastOrderWhileTheSameLabelSetsArriveInTheSameOrder() {
        FamilyMerge first = merge(null, fleet("w1", "w2", "w3"));
        assertSorted(first);
        FamilyMerge second = merge(first.order(), fleet("w1", "w2", "w3"));
        assertSorted(second);
        assertThat(second.order()).isNotNull().isSameAs(first.order());
    }

    @Test
    void reusesTheLastOrderForEqualLabelSetsDecodedAnew() {
        FamilyMerge first = merge(null, fleet("w1", "w2", "w3"));
        this.decoded.clear();
        FamilyMerge second = merge(first.order(), fleet("w1", "w2", "w3"));
        assertSorted(second);
        assertThat(second.order()).isSameAs(first.order());
    }

    @Test
    void reusesTheLastOrderOfSeriesGivenTheirWorkerIdByTheMerge() {
        FamilyMerge first = merge(null, List.of(worker("w2", null), worker("w1", null)));
        FamilyMerge second = merge(first.order(), List.of(worker("w2", null), worker("w1", null)));
        assertSorted(second);
        assertThat(second.sorted()).extracting((point) -> point.getLabels().get("worker_id"))
            .startsWith("w1", "w2", "w1");
        assertThat(second.order()).isSameAs(first.order());
    }

    @Test
    void sortsAnewWhenAWorkerJoins() {
        FamilyMerge first = merge(null, fleet("w1", "w3"));
        FamilyMerge second = merge(first.order(), fleet("w1", "w2", "w3"));
        assertSorted(second);
        assertThat(second.order()).isNotSameAs(first.order());
    }

    @Test
    void sortsAnewWhenAWorkerLeaves() {
        FamilyMerge first = merge(null, fleet("w1", "w2", "w3"));
        FamilyMerge second = merge(first.order(), fleet("w1", "w3"));
        assertSorted(second);
        assertThat(second.order()).isNotSameAs(first.order());
    }

    @Test
    void sortsAnewWhenAWorkerLeavesAndAnotherTakesItsPlace() {
        FamilyMerge first = merge(null, fleet("w1", "w2", "w3"));
        FamilyMerge second = merge(first.order(), fleet("w1", "w0", "w3"));
        assertSorted(second);
        assertThat(second.order()).isNotSameAs(first.order());
    }

    @Test
    void sortsAnewWhenALabelSetChanges() {
        FamilyMerge first = merge(null, fleet("w1", "w2", "w3"));
        List<Worker> changed = new ArrayList<>(fleet("w1", "w2", "w3"));
        changed.set(1, worker("w2", "w2", "/a", "/c", "/zz"));
        FamilyMerge second = merge(first.order(), changed);
        assertSorted(second);
        assertThat(second.order()).isNotSameAs(first.order());
    }

    @Test
    void sortsAnewWhenTheWorkersArriveInAnotherOrder() {
        FamilyMerge first = merge(null, fleet("w1", "w2", "w3"));
        FamilyMerge second = merge(first.order(), fleet("w3", "w1", "w2"));
        assertSorted(second);
        assertThat(second.order()).isNotSameAs(first.order());
        FamilyMerge third = merge(second.order(), fleet("w3", "w1", "w2"));
        assertSorted(third);
        assertThat(third.order()).isSameAs(second.order());
    }

    @Test
    void keepsNoOrderForAFamilyWhoseSeriesMayRepeat() {
        FamilyMerge merge = merge(null, List.of(worker("w1", "w1"), worker("w2", "w1")));
        assertThat(merge.order()).isNull();
    }

    private static void assertSorted(FamilyMerge merge) {
        List<Labels> labels = merge.sorted().stream().map(DataPointSnapshot::getLabels).toList();
        assertThat(labels).isSortedAccordingTo(Labels::compareTo).doesNotHaveDuplicates();
        assertThat(merge.build().getDataPoints()).extracting(DataPointSnapshot::getLabels)
            .containsExactlyElementsOf(labels);
    }

    private FamilyMerge merge(@Nullable SeriesOrder previous, List<Worker> workers) {
        FamilyMerge merge = null;
        for (Worker worker : workers) {
            if (merge == null) {
                merge = new FamilyMerge(worker.snapshot(), null, false, previous);
            }
            merge.add(worker.record(), true, worker.snapshot());
        }
        merge.build();
        return merge;
    }

    private List<Worker> fleet(String... ids) {
        List<Worker> workers = new ArrayList<>();
        for (String id : ids) {
            workers.add(worker(id, id));
        }
        return workers;
    }

    private Worker worker(String id, @Nullable String ownId) {
        return worker(id, ownId, "/a", "/b", "/c");
    }

    private Worker worker(String id, @Nullable String ownId, String... endpoints) {
        List<CounterDataPointSnapshot> points = new ArrayList<>();
        for (String endpoint : endpoints) {
            Labels labels = (ownId != null) ? Labels.of("endpoint", endpoint, "worker_id", ownId)
                    : Labels.of("endpoint", endpoint);
            // As the decode cache does: the same instance for the same bytes.
            points.add(new CounterDataPointSnapshot(1, this.decoded.computeIfAbsent(labels.toString(), (k) -> labels),
                    null, 0));
        }
        return new Worker(new WorkerRecord(id, 1, 1, 1, WorkerState.RUNNING, null, new byte[0]),
                new CounterSnapshot(new MetricMetadata("requests"), points));
    }

    private record Worker(WorkerRecord record, CounterSnapshot snapshot) {

    }

}
