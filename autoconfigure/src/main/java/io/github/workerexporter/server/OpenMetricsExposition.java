package io.github.workerexporter.server;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.TextFormatUtil;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DistributionDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
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
 * The OpenMetrics 1.0 text format, byte for byte what client_java's
 * {@link OpenMetricsTextFormatWriter} writes for the same snapshots and options (every
 * metric type, exemplars, created timestamps, {@code # EOF}), written straight to bytes
 * and streamed (see {@link ExpositionLines}). Names are written for the
 * {@code underscores} (the default) and {@code allow-utf-8} escaping schemes; for
 * {@code dots} and {@code values} it hands the write to client_java's writer.
 *
 * @author Worker Exporter
 */
public final class OpenMetricsExposition implements ExpositionFormatWriter {

    private final boolean createdTimestamps;

    private final ExpositionLines.Pool lines;

    private final boolean exemplarsOnAllTypes;

    private final OpenMetricsTextFormatWriter fallback;

    /**
     * Create a writer with client_java's options.
     * @param createdTimestamps whether to write {@code _created} lines
     * @param exemplarsOnAllTypes whether gauges, unknowns, summaries and counts carry
     * exemplars too
     */
    public OpenMetricsExposition(boolean createdTimestamps, boolean exemplarsOnAllTypes) {
        this(createdTimestamps, exemplarsOnAllTypes, new RenderedLabelSets());
    }

    OpenMetricsExposition(boolean createdTimestamps, boolean exemplarsOnAllTypes, RenderedLabelSets rendered) {
        this.lines = new ExpositionLines.Pool(rendered);
        this.createdTimestamps = createdTimestamps;
        this.exemplarsOnAllTypes = exemplarsOnAllTypes;
        this.fallback = OpenMetricsTextFormatWriter.builder()
            .setCreatedTimestampsEnabled(createdTimestamps)
            .setExemplarsOnAllMetricTypesEnabled(exemplarsOnAllTypes)
            .build();
    }

    @Override
    public boolean accepts(@Nullable String acceptHeader) {
        return this.fallback.accepts(acceptHeader);
    }

    @Override
    public String getContentType() {
        return OpenMetricsTextFormatWriter.CONTENT_TYPE;
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
        for (MetricSnapshot snapshot : TextFormatUtil.mergeDuplicates(snapshots)) {
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
                writeInfo(lines, info, scheme);
            }
            else if (snapshot instanceof StateSetSnapshot stateSet) {
                String name = metadata(lines, "stateset", stateSet.getMetadata(), scheme);
                ExpositionSeries.stateSet(lines, stateSet, name, scheme,
                        (data) -> timestampAndExemplar(lines, data, null));
            }
            else if (snapshot instanceof UnknownSnapshot unknown) {
                writeUnknown(lines, unknown, scheme);
            }
        }
        lines.out().append("# EOF", ExpositionBytes.RAW);
        lines.endLine();
        lines.finish();
    }

    private void writeCounter(ExpositionLines lines, CounterSnapshot snapshot, EscapingScheme scheme)
            throws IOException {
        MetricMetadata metadata = snapshot.getMetadata();
        String counterName = exposedName(metadata, "_total", scheme);
        String baseName = baseName(counterName, "_total");
        metadata(lines, baseName, "counter", metadata);
        SeriesName series = lines.seriesName(counterName, "");
        SeriesName created = lines.seriesName(baseName, "_created");
        List<? extends CounterSnapshot.CounterDataPointSnapshot> points = snapshot.getDataPoints();
        lines.family(snapshot);
        for (int index = 0; index < points.size(); index++) {
            CounterSnapshot.CounterDataPointSnapshot data = points.get(index);
            lines.labels(index, data.getLabels());
            lines.series(series);
            lines.out().appendDouble(data.getValue());
            timestampAndExemplar(lines, data, data.getExemplar());
            created(lines, created, data);
        }
    }

    private void writeGauge(ExpositionLines lines, GaugeSnapshot snapshot, EscapingScheme scheme) throws IOException {
        String name = metadata(lines, "gauge", snapshot.getMetadata(), scheme);
        SeriesName series = lines.seriesName(name, "");
        List<? extends GaugeSnapshot.GaugeDataPointSnapshot> points = snapshot.getDataPoints();
        lines.family(snapshot);
        for (int index = 0; index < points.size(); index++) {
            GaugeSnapshot.GaugeDataPointSnapshot data = points.get(index);
            lines.labels(index, data.getLabels());
            lines.series(series);
            lines.out().appendDouble(data.getValue());
            timestampAndExemplar(lines, data, this.exemplarsOnAllTypes ? data.getExemplar() : null);
        }
    }

    private void writeHistogram(ExpositionLines lines, HistogramSnapshot snapshot, EscapingScheme scheme)
            throws IOException {
        boolean gauge = snapshot.isGaugeHistogram();
        String name = metadata(lines, gauge ? "gaugehistogram" : "histogram", snapshot.getMetadata(), scheme);
        SeriesName bucket = lines.seriesName(name, "_bucket");
        SeriesName count = lines.seriesName(name, gauge ? "_gcount" : "_count");
        SeriesName sum = lines.seriesName(name, gauge ? "_gsum" : "_sum");
        SeriesName created = lines.seriesName(name, "_created");
        List<? extends HistogramSnapshot.HistogramDataPointSnapshot> points = snapshot.getDataPoints();
        lines.family(snapshot);
        for (int index = 0; index < points.size(); index++) {
            HistogramSnapshot.HistogramDataPointSnapshot data = points.get(index);
            lines.labels(index, data.getLabels());
            ClassicHistogramBuckets buckets = ExpositionSeries.classicBuckets(data);
            Exemplars exemplars = data.getExemplars();
            long cumulative = 0;
            for (int i = 0; i < buckets.size(); i++) {
                cumulative += buckets.getCount(i);
                double bound = buckets.getUpperBound(i);
                lines.series(bucket, lines.extraLabel(i, "le", bound));
                lines.out().appendLong(cumulative);
                Exemplar exemplar = (exemplars.size() == 0) ? null
                        : exemplars.get((i == 0) ? Double.NEGATIVE_INFINITY : buckets.getUpperBound(i - 1), bound);
                timestampAndExemplar(lines, data, exemplar);
            }
            if (data.hasCount() && data.hasSum()) {
                countAndSum(lines, count, sum, data, exemplars);
            }
            created(lines, created, data);
        }
    }

    private void writeSummary(ExpositionLines lines, SummarySnapshot snapshot, EscapingScheme scheme)
            throws IOException {
        MetricMetadata metadata = snapshot.getMetadata();
        String name = SnapshotEscaper.getMetadataName(metadata, scheme);
        SeriesName series = lines.seriesName(name, "");
        SeriesName count = lines.seriesName(name, "_count");
        SeriesName sum = lines.seriesName(name, "_sum");
        SeriesName created = lines.seriesName(name, "_created");
        boolean metadataWritten = false;
        List<? extends SummarySnapshot.SummaryDataPointSnapshot> points = snapshot.getDataPoints();
        lines.family(snapshot);
        for (int index = 0; index < points.size(); index++) {
            SummarySnapshot.SummaryDataPointSnapshot data = points.get(index);
            if (data.getQuantiles().size() == 0 && !data.hasCount() && !data.hasSum()) {
                continue;
            }
            if (!metadataWritten) {
                metadata(lines, "summary", metadata, scheme);
                metadataWritten = true;
            }
            lines.labels(index, data.getLabels());
            Exemplars exemplars = data.getExemplars();
            int exemplarIndex = 1;
            int position = 0;
            for (Quantile quantile : data.getQuantiles()) {
                lines.series(series, lines.extraLabel(position++, "quantile", quantile.getQuantile()));
                lines.out().appendDouble(quantile.getValue());
                Exemplar exemplar = null;
                if (exemplars.size() > 0 && this.exemplarsOnAllTypes) {
                    exemplarIndex = (exemplarIndex + 1) % exemplars.size();
                    exemplar = exemplars.get(exemplarIndex);
                }
                timestampAndExemplar(lines, data, exemplar);
            }
            countAndSum(lines, count, sum, data, exemplars);
            created(lines, created, data);
        }
    }

    private void writeInfo(ExpositionLines lines, InfoSnapshot snapshot, EscapingScheme scheme) throws IOException {
        MetricMetadata metadata = snapshot.getMetadata();
        String infoName = exposedName(metadata, "_info", scheme);
        metadata(lines, baseName(infoName, "_info"), "info", metadata);
        SeriesName series = lines.seriesName(infoName, "");
        List<? extends InfoSnapshot.InfoDataPointSnapshot> points = snapshot.getDataPoints();
        lines.family(snapshot);
        for (int index = 0; index < points.size(); index++) {
            InfoSnapshot.InfoDataPointSnapshot data = points.get(index);
            lines.labels(index, data.getLabels());
            lines.series(series);
            lines.out().append('1');
            timestampAndExemplar(lines, data, null);
        }
    }

    private void writeUnknown(ExpositionLines lines, UnknownSnapshot snapshot, EscapingScheme scheme)
            throws IOException {
        String name = metadata(lines, "unknown", snapshot.getMetadata(), scheme);
        SeriesName series = lines.seriesName(name, "");
        List<? extends UnknownSnapshot.UnknownDataPointSnapshot> points = snapshot.getDataPoints();
        lines.family(snapshot);
        for (int index = 0; index < points.size(); index++) {
            UnknownSnapshot.UnknownDataPointSnapshot data = points.get(index);
            lines.labels(index, data.getLabels());
            lines.series(series);
            lines.out().appendDouble(data.getValue());
            timestampAndExemplar(lines, data, this.exemplarsOnAllTypes ? data.getExemplar() : null);
        }
    }

    private void countAndSum(ExpositionLines lines, SeriesName count, SeriesName sum,
            DistributionDataPointSnapshot data, Exemplars exemplars) throws IOException {
        if (data.hasCount()) {
            lines.series(count);
            lines.out().appendLong(data.getCount());
            timestampAndExemplar(lines, data, this.exemplarsOnAllTypes ? exemplars.getLatest() : null);
        }
        if (data.hasSum()) {
            lines.series(sum);
            lines.out().appendDouble(data.getSum());
            timestampAndExemplar(lines, data, null);
        }
    }

    private void created(ExpositionLines lines, SeriesName created, DataPointSnapshot data) throws IOException {
        if (this.createdTimestamps && data.hasCreatedTimestamp()) {
            lines.series(created);
            lines.out().appendSeconds(data.getCreatedTimestampMillis());
            timestampAndExemplar(lines, data, null);
        }
    }

    private void timestampAndExemplar(ExpositionLines lines, DataPointSnapshot data, @Nullable Exemplar exemplar)
            throws IOException {
        ExpositionBytes out = lines.out();
        if (data.hasScrapeTimestamp()) {
            out.append(' ').appendSeconds(data.getScrapeTimestampMillis());
        }
        if (exemplar != null) {
            out.append(' ').append('#').append(' ').append('{');
            lines.renderLabels(out, exemplar.getLabels());
            out.append('}').append(' ').appendDouble(exemplar.getValue());
            if (exemplar.hasTimestamp()) {
                out.append(' ').appendSeconds(exemplar.getTimestampMillis());
            }
        }
        lines.endLine();
    }

    private static String metadata(ExpositionLines lines, String type, MetricMetadata metadata, EscapingScheme scheme) {
        String name = SnapshotEscaper.getMetadataName(metadata, scheme);
        metadata(lines, name, type, metadata);
        return name;
    }

    private static void metadata(ExpositionLines lines, String name, String type, MetricMetadata metadata) {
        ExpositionBytes out = lines.out();
        out.append("# TYPE ", ExpositionBytes.RAW);
        lines.metadataName(name);
        out.append(' ').append(type, ExpositionBytes.RAW).append('\n');
        if (metadata.getUnit() != null) {
            out.append("# UNIT ", ExpositionBytes.RAW);
            lines.metadataName(name);
            out.append(' ').append(metadata.getUnit().toString(), ExpositionBytes.QUOTED).append('\n');
        }
        String help = metadata.getHelp();
        if (help != null && !help.isEmpty()) {
            out.append("# HELP ", ExpositionBytes.RAW);
            lines.metadataName(name);
            out.append(' ').append(help, ExpositionBytes.QUOTED).append('\n');
        }
    }

    /**
     * The name with its type's suffix, as client_java's {@code resolveExpositionName}.
     * @param metadata the metadata
     * @param suffix {@code _total} or {@code _info}
     * @param scheme the escaping scheme
     * @return the name
     */
    static String exposedName(MetricMetadata metadata, String suffix, EscapingScheme scheme) {
        String base = SnapshotEscaper.getExpositionBaseMetadataName(metadata, scheme);
        return base.endsWith(suffix) ? base : SnapshotEscaper.getMetadataName(metadata, scheme) + suffix;
    }

    static String baseName(String fullName, String suffix) {
        return fullName.endsWith(suffix) ? fullName.substring(0, fullName.length() - suffix.length()) : fullName;
    }

}
