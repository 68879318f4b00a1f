package io.github.workerexporter.server;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.expositionformats.TextFormatUtil;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DistributionDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.SnapshotEscaper;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import org.jspecify.annotations.Nullable;

import io.github.workerexporter.server.ExpositionLines.SeriesName;

/**
 * The Prometheus text format 0.0.4, byte for byte what client_java's
 * {@link PrometheusTextFormatWriter} writes for the same snapshots and options (every
 * metric type, gauge histograms' {@code _gcount} and {@code _gsum} as gauges, the
 * {@code _created} gauges at the end when asked for), written straight to bytes and
 * streamed (see {@link ExpositionLines}). Names are written for the {@code underscores}
 * (the default) and {@code allow-utf-8} escaping schemes; for {@code dots} and
 * {@code values} it hands the write to client_java's writer.
 *
 * @author Worker Exporter
 */
public final class PrometheusTextExposition implements ExpositionFormatWriter {

    private final boolean createdTimestamps;

    private final ExpositionLines.Pool lines;

    private final boolean timestampsInMs;

    private final PrometheusTextFormatWriter fallback;

    /**
     * Create a writer with client_java's options.
     * @param createdTimestamps whether to write the {@code _created} gauges
     * @param timestampsInMs whether timestamps are in milliseconds (the format's unit;
     * client_java's deprecated option writes seconds otherwise)
     */
    public PrometheusTextExposition(boolean createdTimestamps, boolean timestampsInMs) {
        this(createdTimestamps, timestampsInMs, new RenderedLabelSets());
    }

    @SuppressWarnings("deprecation")
    PrometheusTextExposition(boolean createdTimestamps, boolean timestampsInMs, RenderedLabelSets rendered) {
        this.lines = new ExpositionLines.Pool(rendered);
        this.createdTimestamps = createdTimestamps;
        this.timestampsInMs = timestampsInMs;
        this.fallback = PrometheusTextFormatWriter.builder()
            .setIncludeCreatedTimestamps(createdTimestamps)
            .setTimestampsInMs(timestampsInMs)
            .build();
    }

    @Override
    public boolean accepts(@Nullable String acceptHeader) {
        return this.fallback.accepts(acceptHeader);
    }

    @Override
    public String getContentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    @Override
    public void write(OutputStream out, MetricSnapshots snapshots, EscapingScheme scheme) throws IOException {
        if (!ExpositionLines.supports(scheme)) {
            this.fallback.write(out, snapshots, scheme);
            return;
        }
        this.lines.write(out, scheme, (lines) -> write(lines, snapshots, scheme));
    }

    private void write(ExpositionLines lines, MetricSnapshots snapshots, EscapingScheme scheme) throws IOException {
        MetricSnapshots merged = TextFormatUtil.mergeDuplicates(snapshots);
        for (MetricSnapshot snapshot : merged) {
            if (snapshot.getDataPoints().isEmpty()) {
                continue;
            }
            if (snapshot instanceof CounterSnapshot counter) {
                writeCounter(lines, counter, scheme);
            }
            else if (snapshot instanceof GaugeSnapshot gauge) {
                writeGauge(lines, gauge, scheme);
            }
            else if (snapshot instanceof HistogramSnapshot histogram) {
                writeHistogram(lines, histogram, scheme);
            }
            else if (snapshot instanceof SummarySnapshot summary) {
                writeSummary(lines, summary, scheme);
            }
            else if (snapshot instanceof InfoSnapshot info) {
                String infoName = OpenMetricsExposition.exposedName(info.getMetadata(), "_info", scheme);
                writeSimple(lines, info, infoName, "gauge", (data) -> lines.out().append('1'));
            }
            else if (snapshot instanceof StateSetSnapshot stateSet) {
                String name = SnapshotEscaper.getMetadataName(stateSet.getMetadata(), scheme);
                metadata(lines, name, "gauge", stateSet.getMetadata());
                ExpositionSeries.stateSet(lines, stateSet, name, scheme, (data) -> timestamp(lines, data));
            }
            else if (snapshot instanceof UnknownSnapshot unknown) {
                writeSimple(lines, unknown, SnapshotEscaper.getMetadataName(unknown.getMetadata(), scheme), "untyped",
                        (data) -> lines.out()
                            .appendDouble(((UnknownSnapshot.UnknownDataPointSnapshot) data).getValue()));
            }
        }
        if (this.createdTimestamps) {
            for (MetricSnapshot snapshot : merged) {
                if (!snapshot.getDataPoints().isEmpty() && (snapshot instanceof CounterSnapshot
                        || snapshot instanceof HistogramSnapshot || snapshot instanceof SummarySnapshot)) {
                    writeCreated(lines, snapshot, scheme);
                }
            }
        }
        lines.finish();
    }

    private void writeCounter(ExpositionLines lines, CounterSnapshot snapshot, EscapingScheme scheme)
            throws IOException {
        String counterName = OpenMetricsExposition.exposedName(snapshot.getMetadata(), "_total", scheme);
        writeSimple(lines, snapshot, counterName, "counter",
                (data) -> lines.out().appendDouble(((CounterSnapshot.CounterDataPointSnapshot) data).getValue()));
    }

    private void writeGauge(ExpositionLines lines, GaugeSnapshot snapshot, EscapingScheme scheme) throws IOException {
        MetricMetadata metadata = snapshot.getMetadata();
        String gaugeName = SnapshotEscaper.getLegacyGaugeName(metadata, metadata.getOriginalName(), scheme);
        writeSimple(lines, snapshot, gaugeName, "gauge",
                (data) -> lines.out().appendDouble(((GaugeSnapshot.GaugeDataPointSnapshot) data).getValue()));
    }

    private void writeSimple(ExpositionLines lines, MetricSnapshot snapshot, String name, String type, Value value)
            throws IOException {
        metadata(lines, name, type, snapshot.getMetadata());
        SeriesName series = lines.seriesName(name, "");
        List<? extends DataPointSnapshot> points = snapshot.getDataPoints();
        lines.family(snapshot);
        for (int index = 0; index < points.size(); index++) {
            DataPointSnapshot data = points.get(index);
            lines.labels(index, data.getLabels());
            lines.series(series);
            value.write(data);
            timestamp(lines, data);
        }
    }

    private void writeHistogram(ExpositionLines lines, HistogramSnapshot snapshot, EscapingScheme scheme)
            throws IOException {
        MetricMetadata metadata = snapshot.getMetadata();
        String name = SnapshotEscaper.getMetadataName(metadata, scheme);
        metadata(lines, name, "histogram", metadata);
        SeriesName bucket = lines.seriesName(name, "_bucket");
        SeriesName count = lines.seriesName(name, "_count");
        SeriesName sum = lines.seriesName(name, "_sum");
        boolean gauge = snapshot.isGaugeHistogram();
        List<? extends HistogramSnapshot.HistogramDataPointSnapshot> points = snapshot.getDataPoints();
        lines.family(snapshot);
        for (int index = 0; index < points.size(); index++) {
            HistogramSnapshot.HistogramDataPointSnapshot data = points.get(index);
            lines.labels(index, data.getLabels());
            ClassicHistogramBuckets buckets = ExpositionSeries.classicBuckets(data);
            long cumulative = 0;
            for (int i = 0; i < buckets.size(); i++) {
                cumulative += buckets.getCount(i);
                lines.series(bucket, lines.extraLabel(i, "le", buckets.getUpperBound(i)));
                lines.out().appendLong(cumulative);
                timestamp(lines, data);
            }
            if (!gauge) {
                countAndSum(lines, count, sum, data);
            }
        }
        if (gauge) {
            writeGaugeCountSum(lines, snapshot, name, true);
            writeGaugeCountSum(lines, snapshot, name, false);
        }
    }

    private void writeGaugeCountSum(ExpositionLines lines, HistogramSnapshot snapshot, String name, boolean count)
            throws IOException {
        String suffix = count ? "_gcount" : "_gsum";
        SeriesName series = lines.seriesName(name, suffix);
        boolean metadataWritten = false;
        List<? extends HistogramSnapshot.HistogramDataPointSnapshot> points = snapshot.getDataPoints();
        lines.family(snapshot);
        for (int index = 0; index < points.size(); index++) {
            HistogramSnapshot.HistogramDataPointSnapshot data = points.get(index);
            if (count ? data.hasCount() : data.hasSum()) {
                if (!metadataWritten) {
                    metadata(lines, name + suffix, "gauge", snapshot.getMetadata());
                    metadataWritten = true;
                }
                lines.labels(index, data.getLabels());
                lines.series(series);
                if (count) {
                    lines.out().appendLong(data.getCount());
                }
                else {
                    lines.out().appendDouble(data.getSum());
                }
                timestamp(lines, data);
            }
        }
    }

    private void writeSummary(ExpositionLines lines, SummarySnapshot snapshot, EscapingScheme scheme)
            throws IOException {
        MetricMetadata metadata = snapshot.getMetadata();
        String name = SnapshotEscaper.getMetadataName(metadata, scheme);
        SeriesName series = lines.seriesName(name, "");
        SeriesName count = lines.seriesName(name, "_count");
        SeriesName sum = lines.seriesName(name, "_sum");
        boolean metadataWritten = false;
        List<? extends SummarySnapshot.SummaryDataPointSnapshot> points = snapshot.getDataPoints();
        lines.family(snapshot);
        for (int index = 0; index < points.size(); index++) {
            SummarySnapshot.SummaryDataPointSnapshot data = points.get(index);
            if (data.getQuantiles().size() == 0 && !data.hasCount() && !data.hasSum()) {
                continue;
            }
            if (!metadataWritten) {
                metadata(lines, name, "summary", metadata);
                metadataWritten = true;
            }
            lines.labels(index, data.getLabels());
            int position = 0;
            for (Quantile quantile : data.getQuantiles()) {
                lines.series(series, lines.extraLabel(position++, "quantile", quantile.getQuantile()));
                lines.out().appendDouble(quantile.getValue());
                timestamp(lines, data);
            }
            countAndSum(lines, count, sum, data);
        }
    }

    private void countAndSum(ExpositionLines lines, SeriesName count, SeriesName sum,
            DistributionDataPointSnapshot data) throws IOException {
        if (data.hasCount()) {
            lines.series(count);
            lines.out().appendLong(data.getCount());
            timestamp(lines, data);
        }
        if (data.hasSum()) {
            lines.series(sum);
            lines.out().appendDouble(data.getSum());
            timestamp(lines, data);
        }
    }

    private void writeCreated(ExpositionLines lines, MetricSnapshot snapshot, EscapingScheme scheme)
            throws IOException {
        MetricMetadata metadata = snapshot.getMetadata();
        String baseName = SnapshotEscaper.getMetadataName(metadata, scheme);
        if (snapshot instanceof CounterSnapshot) {
            baseName = OpenMetricsExposition.baseName(OpenMetricsExposition.exposedName(metadata, "_total", scheme),
                    "_total");
        }
        SeriesName created = lines.seriesName(baseName, "_created");
        boolean metadataWritten = false;
        List<? extends DataPointSnapshot> points = snapshot.getDataPoints();
        lines.family(snapshot);
        for (int index = 0; index < points.size(); index++) {
            DataPointSnapshot data = points.get(index);
            if (data.hasCreatedTimestamp()) {
                if (!metadataWritten) {
                    metadata(lines, baseName + "_created", "gauge", metadata);
                    metadataWritten = true;
                }
                lines.labels(index, data.getLabels());
                lines.series(created);
                timestampValue(lines.out(), data.getCreatedTimestampMillis());
                timestamp(lines, data);
            }
        }
    }

    private void timestamp(ExpositionLines lines, DataPointSnapshot data) throws IOException {
        if (data.hasScrapeTimestamp()) {
            timestampValue(lines.out().append(' '), data.getScrapeTimestampMillis());
        }
        lines.endLine();
    }

    private void timestampValue(ExpositionBytes out, long millis) {
        if (this.timestampsInMs) {
            out.appendLong(millis);
        }
        else {
            out.appendSeconds(millis);
        }
    }

    private static void metadata(ExpositionLines lines, String name, String type, MetricMetadata metadata) {
        ExpositionBytes out = lines.out();
        String help = metadata.getHelp();
        if (help != null && !help.isEmpty()) {
            out.append("# HELP ", ExpositionBytes.RAW);
            lines.metadataName(name);
            out.append(' ').append(help, ExpositionBytes.HELP).append('\n');
        }
        out.append("# TYPE ", ExpositionBytes.RAW);
        lines.metadataName(name);
        out.append(' ').append(type, ExpositionBytes.RAW).append('\n');
    }

    /**
     * Writes the value of a data point.
     */
    @FunctionalInterface
    private interface Value {

        void write(DataPointSnapshot data);

    }

}
