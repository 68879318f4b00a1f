package io.github.workerexporter.storage;

import java.util.List;

import io.prometheus.metrics.model.snapshots.Labels;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotsTests {

    @Test
    void findsTheWorkerIdAsLabelsGetDoes() {
        List<Labels> sets = List.of(Labels.EMPTY, Labels.of("endpoint", "/a"), Labels.of("worker_id", "w1"),
                Labels.of("endpoint", "/a", "worker_id", "w2", "zone", "z"), Labels.of("worker.id", "dotted"),
                Labels.of("worker_idx", "no"));
        for (Labels labels : sets) {
            assertThat(Snapshots.workerIdOf(labels)).as("%s", labels).isEqualTo(labels.get(Snapshots.WORKER_ID));
        }
        assertThat(Snapshots.workerIdOf(Labels.of("worker.id", "dotted"))).isEqualTo("dotted");
    }

}
