package io.github.workerexporter.server;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.SnapshotEscaper;
import org.jspecify.annotations.Nullable;

/**
 * One write of a text exposition: the lines go into a buffer that is handed to the stream
 * whenever it holds {@value #FLUSH_AT} bytes, so the body is streamed and the write holds
 * a buffer of that size, whatever the number of series. A series' label set is rendered
 * once ({@link #labels(Labels)}) and reused for each of its lines (a classic histogram
 * has one per bucket, a count and a sum), and the extra label of a bucket or a quantile
 * ({@code le="0.005"}) is rendered once per position and bound. A family's label sets
 * that the last write rendered are copied from {@link RenderedLabelSets} where the data
 * point at the same position has the same {@code Labels} instance. Names and labels are
 * written as client_java's {@code TextFormatUtil} writes them for the escaping schemes
 * where {@code SnapshotEscaper} leaves a snapshot as it is.
 *
 * @author Worker Exporter
 */
final class ExpositionLines {

    static final int FLUSH_AT = 32 * 1024;

    private static final byte[] NOTHING = new byte[0];

    private OutputStream out = OutputStream.nullOutputStream();

    private EscapingScheme scheme = EscapingScheme.UNDERSCORE_ESCAPING;

    private final ExpositionBytes line = new ExpositionBytes(FLUSH_AT + 1024);

    private final ExpositionBytes labels = new ExpositionBytes(256);

    private final ExpositionBytes scratch = new ExpositionBytes(64);

    private final RenderedLabelSets rendered;

    private long write;

    private @Nullable MetricSnapshot family;

    private RenderedLabelSets.@Nullable Family kept;

    private boolean stale;

    private int hits;

    private byte[] current = NOTHING;

    private int currentFrom;

    private int currentTo;

    private @Nullable String[] extraNames = new String[16];

    private long[] extraBits = new long[16];

    private byte[][] extraBytes = new byte[16][];

    private ExpositionLines(RenderedLabelSets rendered) {
        this.rendered = rendered;
    }

    /**
     * Begin a write.
     */
    private ExpositionLines begin(OutputStream out, EscapingScheme scheme) {
        forget();
        this.out = out;
        this.scheme = scheme;
        this.write = this.rendered.write();
        this.line.clear();
        return this;
    }

    /**
     * Forget the stream and the family of the write that ended, so that nothing of it is
     * held while this waits for the next write.
     */
    private void forget() {
        this.out = OutputStream.nullOutputStream();
        this.family = null;
        this.kept = null;
        this.stale = false;
        this.hits = 0;
        this.current = NOTHING;
        this.currentFrom = 0;
        this.currentTo = 0;
    }

    /**
     * Whether this write can render names for the scheme: client_java escapes nothing in
     * a snapshot for these two, it only picks {@code getName()} or
     * {@code getPrometheusName()}.
     * @param scheme the scheme
     * @return whether it is supported
     */
    static boolean supports(EscapingScheme scheme) {
        return scheme == EscapingScheme.UNDERSCORE_ESCAPING || scheme == EscapingScheme.ALLOW_UTF8;
    }

    /**
     * The bytes being written, for the format writers to append to.
     * @return the line buffer
     */
    ExpositionBytes out() {
        return this.line;
    }

    /**
     * End a line and stream the buffer once it is full enough.
     * @throws IOException if the stream fails
     */
    void endLine() throws IOException {
        this.line.append('\n');
        if (this.line.size() >= FLUSH_AT) {
            this.line.drainTo(this.out);
        }
    }

    /**
     * Write what is left and flush the stream.
     * @throws IOException if the stream fails
     */
    void finish() throws IOException {
        keepFamily();
        this.line.drainTo(this.out);
        this.out.flush();
    }

    /**
     * A name in a metadata line, as {@code TextFormatUtil.writeName} writes it.
     * @param name the name
     */
    void metadataName(String name) {
        if (PrometheusNaming.isValidLegacyMetricName(name)) {
            this.line.append(name, ExpositionBytes.RAW);
        }
        else {
            this.line.append('"').append(name, ExpositionBytes.QUOTED).append('"');
        }
    }

    /**
     * How the lines of a series begin: the metric name alone when it is a valid legacy
     * name, else the opening brace and the quoted name inside the braces. @param name the
     * name that decides (client_java checks it without the suffix) @param suffix what
     * follows it on the line, or {@code ""}
     * @return the rendered start
     */
    SeriesName seriesName(String name, String suffix) {
        boolean inside = !PrometheusNaming.isValidLegacyMetricName(name);
        String full = suffix.isEmpty() ? name : name + suffix;
        ExpositionBytes bytes = this.scratch;
        bytes.clear();
        if (inside) {
            bytes.append('{');
        }
        if (PrometheusNaming.isValidLegacyMetricName(full)) {
            bytes.append(full, ExpositionBytes.RAW);
        }
        else {
            bytes.append('"').append(full, ExpositionBytes.QUOTED).append('"');
        }
        return new SeriesName(bytes.toByteArray(), inside);
    }

    /**
     * Begin (or go back to) the lines of a family, whose data points are then given by
     * their position ({@link #labels(int, Labels)}).
     * @param snapshot the family
     */
    void family(MetricSnapshot snapshot) {
        if (snapshot == this.family) {
            return;
        }
        keepFamily();
        this.family = snapshot;
        this.kept = this.rendered.get(snapshot.getMetadata().getPrometheusName(), this.scheme);
        this.stale = false;
        this.hits = 0;
    }

    /**
     * Render a label set once for the lines that follow, or take it as the last write
     * rendered it.
     * @param index the position of its data point in the current {@link #family}
     * @param labels the labels
     */
    void labels(int index, Labels labels) {
        RenderedLabelSets.Family kept = this.kept;
        if (kept != null && kept.holds(index, labels)) {
            this.current = kept.bytes();
            this.currentFrom = kept.from(index);
            this.currentTo = kept.to(index);
            this.hits++;
            return;
        }
        this.stale = true;
        this.labels.clear();
        renderLabels(this.labels, labels);
        this.current = this.labels.array();
        this.currentFrom = 0;
        this.currentTo = this.labels.size();
    }

    /**
     * Keep the label sets of the family just written for the next write, unless they were
     * all found as the last write rendered them, or the family is not kept: its label
     * sets were new objects in two writes in a row (see {@link RenderedLabelSets}).
     */
    private void keepFamily() {
        MetricSnapshot family = this.family;
        RenderedLabelSets.Family kept = this.kept;
        this.family = null;
        this.kept = null;
        if (family == null || !this.stale || (kept != null && kept.skipped(this.write))) {
            return;
        }
        String name = family.getMetadata().getPrometheusName();
        int misses = (kept == null) ? 0 : (kept.notKept() ? 1 : (this.hits == 0) ? kept.misses() + 1 : 0);
        if (misses >= 2) {
            this.rendered.keep(name,
                    RenderedLabelSets.Family.notKeptUntil(this.scheme, this.write + RenderedLabelSets.RETRY_AFTER));
            return;
        }
        List<? extends DataPointSnapshot> points = family.getDataPoints();
        Labels[] labels = new Labels[points.size()];
        int[] ends = new int[labels.length];
        ExpositionBytes bytes = new ExpositionBytes(Math.max(64, labels.length * 64));
        for (int i = 0; i < labels.length; i++) {
            labels[i] = points.get(i).getLabels();
            renderLabels(bytes, labels[i]);
            ends[i] = bytes.size();
        }
        this.rendered.keep(name, RenderedLabelSets.Family.of(this.scheme, labels, ends, bytes.toByteArray(), misses));
    }

    /**
     * Render a label set ({@code a="1",b="2"}, no braces) as client_java's
     * {@code writeLabels} does.
     * @param into where to
     * @param labels the labels
     */
    void renderLabels(ExpositionBytes into, Labels labels) {
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                into.append(',');
            }
            String name = SnapshotEscaper.getSnapshotLabelName(labels, i, this.scheme);
            if (PrometheusNaming.isValidLegacyLabelName(name)) {
                into.append(name, ExpositionBytes.RAW);
            }
            else {
                into.append('"').append(name, ExpositionBytes.QUOTED).append('"');
            }
            into.append('=').append('"').append(labels.getValue(i), ExpositionBytes.QUOTED).append('"');
        }
    }

    /**
     * Begin a line of the current series: its name and labels and the space before the
     * value.
     * @param name the series name
     */
    void series(SeriesName name) {
        series(name, null);
    }

    /**
     * Begin a line of the current series with one more label.
     * @param name the series name
     * @param extra the extra label, rendered ({@code le="0.5"}), or {@code null}
     */
    void series(SeriesName name, byte @Nullable [] extra) {
        ExpositionBytes line = this.line;
        line.append(name.bytes());
        boolean hasLabels = this.currentTo > this.currentFrom;
        if (hasLabels || extra != null) {
            if (!name.inside()) {
                line.append('{');
            }
            if (hasLabels) {
                if (name.inside()) {
                    line.append(',');
                }
                line.append(this.current, this.currentFrom, this.currentTo - this.currentFrom);
            }
            if (extra != null) {
                if (hasLabels || name.inside()) {
                    line.append(',');
                }
                line.append(extra);
            }
            line.append('}');
        }
        else if (name.inside()) {
            line.append('}');
        }
        line.append(' ');
    }

    /**
     * The extra label at a position ({@code le} of the i-th bucket, {@code quantile} of
     * the i-th quantile), rendered once while the value at that position stays the same.
     * @param position the position in the series
     * @param name the label name, a constant
     * @param value its value
     * @return {@code name="value"}
     */
    byte[] extraLabel(int position, String name, double value) {
        if (position >= this.extraBits.length) {
            int length = Math.max(position + 1, this.extraBits.length * 2);
            this.extraNames = Arrays.copyOf(this.extraNames, length);
            this.extraBits = Arrays.copyOf(this.extraBits, length);
            this.extraBytes = Arrays.copyOf(this.extraBytes, length);
        }
        long bits = Double.doubleToRawLongBits(value);
        byte[] cached = this.extraBytes[position];
        if (cached != null && this.extraNames[position] == name && this.extraBits[position] == bits) {
            return cached;
        }
        ExpositionBytes bytes = this.scratch;
        bytes.clear();
        bytes.append(name, ExpositionBytes.RAW).append('=').append('"').appendDouble(value).append('"');
        byte[] rendered = bytes.toByteArray();
        this.extraNames[position] = name;
        this.extraBits[position] = bits;
        this.extraBytes[position] = rendered;
        return rendered;
    }

    /**
     * The lines of a writer: one write's buffers (32 KB) lent to one write at a time and
     * kept for the next, so that a write allocates no buffer; a write that starts while
     * they are lent (two scrapes at once) gets its own. The label sets kept between
     * writes ({@link RenderedLabelSets}) are shared by both.
     */
    static final class Pool {

        private final RenderedLabelSets rendered;

        private final AtomicReference<@Nullable ExpositionLines> idle = new AtomicReference<>();

        Pool(RenderedLabelSets rendered) {
            this.rendered = rendered;
        }

        /**
         * Run a write on lines of this pool, kept for the next write when it ends,
         * finished or not.
         * @param out the stream written to
         * @param scheme the escaping scheme
         * @param write what writes the lines
         * @throws IOException if the stream fails
         */
        void write(OutputStream out, EscapingScheme scheme, Write write) throws IOException {
            ExpositionLines lines = this.idle.getAndSet(null);
            if (lines == null) {
                lines = new ExpositionLines(this.rendered);
            }
            try {
                write.write(lines.begin(out, scheme));
            }
            finally {
                lines.forget();
                this.idle.set(lines);
            }
        }

    }

    /**
     * A write of a format's lines.
     */
    @FunctionalInterface
    interface Write {

        void write(ExpositionLines lines) throws IOException;

    }

    /**
     * How the lines of a series begin.
     *
     * @param bytes the rendered name, with the opening brace when inside
     * @param inside whether the name is inside the braces
     */
    record SeriesName(byte[] bytes, boolean inside) {
    }

}
