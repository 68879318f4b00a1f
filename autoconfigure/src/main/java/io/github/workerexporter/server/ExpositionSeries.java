package io.github.workerexporter.server;

import java.io.IOException;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.SnapshotEscaper;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;

/**
 * What both text formats write alike: the classic buckets of a histogram (a native-only
 * one is written as its count in a single {@code +Inf} bucket) and the lines of a state
 * set, which client_java writes with the metric and label names as they are, never
 * quoted.
 *
 * @author Worker Exporter
 */
final class ExpositionSeries {

    private ExpositionSeries() {
    }

    static ClassicHistogramBuckets classicBuckets(HistogramDataPointSnapshot data) {
        if (data.getClassicBuckets().isEmpty()) {
            return ClassicHistogramBuckets.of(new double[] { Double.POSITIVE_INFINITY },
                    new long[] { data.getCount() });
        }
        return data.getClassicBuckets();
    }

    static void stateSet(ExpositionLines lines, StateSetSnapshot snapshot, String name, EscapingScheme scheme,
            LineEnd end) throws IOException {
        ExpositionBytes out = lines.out();
        for (StateSetSnapshot.StateSetDataPointSnapshot data : snapshot.getDataPoints()) {
            Labels labels = data.getLabels();
            for (int i = 0; i < data.size(); i++) {
                out.append(name, ExpositionBytes.RAW).append('{');
                for (int j = 0; j < labels.size(); j++) {
                    if (j > 0) {
                        out.append(',');
                    }
                    out.append(SnapshotEscaper.getSnapshotLabelName(labels, j, scheme), ExpositionBytes.RAW);
                    out.append('=').append('"').append(labels.getValue(j), ExpositionBytes.QUOTED).append('"');
                }
                if (!labels.isEmpty()) {
                    out.append(',');
                }
                out.append(name, ExpositionBytes.RAW).append('=').append('"');
                out.append(data.getName(i), ExpositionBytes.QUOTED).append('"').append('}').append(' ');
                out.append(data.isTrue(i) ? '1' : '0');
                end.end(data);
            }
        }
    }

    /**
     * What ends a line in a format: its timestamps, its exemplar, the newline.
     */
    @FunctionalInterface
    interface LineEnd {

        void end(DataPointSnapshot data) throws IOException;

    }

}
