package io.github.workerexporter.server;

import java.util.Random;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;

/**
 * Random metric snapshots of every type for the exposition tests: names valid and needing
 * quotes (dots, non-ASCII), label values and help texts with quotes, backslashes,
 * newlines, non-ASCII and unpaired surrogates, values of every kind
 * ({@link #randomDouble()}), timestamps, exemplars, units, classic, native-only and mixed
 * histograms, gauge histograms. A combination the model refuses is skipped.
 *
 * @author Worker Exporter
 */
final class RandomSnapshots {

    private static final String[] NAME_PARTS = { "http", "requests", "a", "b_c", "gunicorn", "workers", "x1", "ü",
            "db.pool", "__x", "9lives", "with space", "quo\"te", "back\\slash", "日本", "_total", "_info" };

    private static final String[] TEXT_PARTS = { "", "plain", "with \"quotes\"", "back\\slash", "new\nline", "ü", "日本語",
            "😀", "\uD800", "x\uDC00y", "\uD83D", "\t", "{}", "=,", "é\n\"\\" };

    private static final Unit[] UNITS = { Unit.SECONDS, Unit.BYTES, new Unit("requests"), new Unit("dots.and") };

    private final Random random;

    RandomSnapshots(long seed) {
        this.random = new Random(seed);
    }

    MetricSnapshots snapshots(int families) {
        MetricSnapshots.Builder builder = MetricSnapshots.builder();
        int added = 0;
        for (int attempt = 0; added < families && attempt < families * 20; attempt++) {
            try {
                MetricSnapshot snapshot = snapshot();
                builder.metricSnapshot(snapshot);
                added++;
            }
            catch (IllegalArgumentException ex) {
                // a name or a combination the model refuses (or a duplicate name)
            }
        }
        try {
            return builder.build();
        }
        catch (IllegalArgumentException ex) {
            return snapshots(families);
        }
    }

    MetricSnapshot snapshot() {
        String name = name();
        String help = this.random.nextInt(4) == 0 ? null : text();
        Unit unit = this.random.nextInt(5) == 0 ? UNITS[this.random.nextInt(UNITS.length)] : null;
        int points = this.random.nextInt(5);
        return switch (this.random.nextInt(8)) {
            case 0 -> {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help).unit(unit);
                for (int i = 0; i < points; i++) {
                    CounterSnapshot.CounterDataPointSnapshot.Builder p = CounterSnapshot.CounterDataPointSnapshot
                        .builder()
                        .value(Math.abs(randomDouble()))
                        .exemplar(maybeExemplar());
                    if (this.random.nextBoolean()) {
                        p.createdTimestampMillis(timestamp());
                    }
                    b.dataPoint(point(p, i).build());
                }
                yield b.build();
            }
            case 1 -> {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help).unit(unit);
                for (int i = 0; i < points; i++) {
                    b.dataPoint(point(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                        .value(randomDouble())
                        .exemplar(maybeExemplar()), i).build());
                }
                yield b.build();
            }
            case 2, 3 -> histogram(name, help, unit, points);
            case 4 -> {
                SummarySnapshot.Builder b = SummarySnapshot.builder().name(name).help(help).unit(unit);
                for (int i = 0; i < points; i++) {
                    SummarySnapshot.SummaryDataPointSnapshot.Builder p = SummarySnapshot.SummaryDataPointSnapshot
                        .builder();
                    Quantiles.Builder quantiles = Quantiles.builder();
                    int q = this.random.nextInt(4);
                    for (int j = 0; j < q; j++) {
                        quantiles.quantile((j + 1) / (q + 1.0) - (this.random.nextInt(3) == 0 ? 0.001 : 0),
                                randomDouble());
                    }
                    p.quantiles(quantiles.build());
                    if (this.random.nextBoolean()) {
                        p.count(this.random.nextInt(1000));
                    }
                    if (this.random.nextBoolean()) {
                        p.sum(randomDouble());
                    }
                    if (this.random.nextBoolean()) {
                        p.createdTimestampMillis(timestamp());
                    }
                    p.exemplars(exemplars());
                    b.dataPoint(point(p, i).build());
                }
                yield b.build();
            }
            case 5 -> {
                InfoSnapshot.Builder b = InfoSnapshot.builder().name(name).help(help);
                for (int i = 0; i < points; i++) {
                    b.dataPoint(point(InfoSnapshot.InfoDataPointSnapshot.builder(), i).build());
                }
                yield b.build();
            }
            case 6 -> {
                StateSetSnapshot.Builder b = StateSetSnapshot.builder().name(name).help(help);
                for (int i = 0; i < points; i++) {
                    StateSetSnapshot.StateSetDataPointSnapshot.Builder p = StateSetSnapshot.StateSetDataPointSnapshot
                        .builder();
                    int states = 1 + this.random.nextInt(3);
                    for (int j = 0; j < states; j++) {
                        p.state("s" + j + text(), this.random.nextBoolean());
                    }
                    b.dataPoint(point(p, i).build());
                }
                yield b.build();
            }
            default -> {
                UnknownSnapshot.Builder b = UnknownSnapshot.builder().name(name).help(help).unit(unit);
                for (int i = 0; i < points; i++) {
                    b.dataPoint(point(UnknownSnapshot.UnknownDataPointSnapshot.builder()
                        .value(randomDouble())
                        .exemplar(maybeExemplar()), i).build());
                }
                yield b.build();
            }
        };
    }

    private MetricSnapshot histogram(String name, String help, Unit unit, int points) {
        HistogramSnapshot.Builder b = HistogramSnapshot.builder()
            .name(name)
            .help(help)
            .unit(unit)
            .gaugeHistogram(this.random.nextInt(4) == 0);
        for (int i = 0; i < points; i++) {
            HistogramSnapshot.HistogramDataPointSnapshot.Builder p = HistogramSnapshot.HistogramDataPointSnapshot
                .builder();
            int kind = this.random.nextInt(3);
            if (kind != 1) {
                int size = 1 + this.random.nextInt(6);
                double[] bounds = new double[size];
                long[] counts = new long[size];
                double bound = -2 + this.random.nextDouble();
                for (int j = 0; j < size - 1; j++) {
                    bound += this.random.nextInt(3) == 0 ? this.random.nextInt(100) : this.random.nextDouble();
                    bounds[j] = bound;
                    counts[j] = this.random.nextInt(50);
                }
                bounds[size - 1] = Double.POSITIVE_INFINITY;
                counts[size - 1] = this.random.nextInt(50);
                p.classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts));
            }
            if (kind != 0) {
                p.nativeSchema(this.random.nextInt(9) - 4)
                    .nativeZeroCount(this.random.nextInt(5))
                    .nativeBucketsForPositiveValues(
                            NativeHistogramBuckets.builder().bucket(this.random.nextInt(20) - 10, 3).build());
            }
            if (this.random.nextInt(3) > 0) {
                p.sum(Math.abs(randomDouble()));
            }
            if (this.random.nextBoolean()) {
                p.createdTimestampMillis(timestamp());
            }
            p.exemplars(exemplars());
            b.dataPoint(point(p, i).build());
        }
        return b.build();
    }

    private <T extends DataPointSnapshot.Builder<T>> T point(T builder, int index) {
        Labels.Builder labels = Labels.builder();
        int size = this.random.nextInt(4);
        labels.label("idx", Integer.toString(index));
        for (int i = 0; i < size; i++) {
            labels.label(labelName(i), text());
        }
        builder.labels(labels.build());
        if (this.random.nextInt(4) == 0) {
            builder.scrapeTimestampMillis(timestamp());
        }
        return builder;
    }

    private String labelName(int i) {
        return switch (this.random.nextInt(6)) {
            case 0 -> "dot.ted" + i;
            case 1 -> "ü" + i;
            case 2 -> "_u" + i;
            default -> "l" + i;
        };
    }

    private Exemplar maybeExemplar() {
        return this.random.nextInt(3) == 0 ? exemplar() : null;
    }

    private Exemplars exemplars() {
        int size = this.random.nextInt(4);
        Exemplars.Builder builder = Exemplars.builder();
        for (int i = 0; i < size; i++) {
            builder.exemplar(exemplar());
        }
        return builder.build();
    }

    private Exemplar exemplar() {
        Exemplar.Builder builder = Exemplar.builder().value(randomDouble());
        if (this.random.nextBoolean()) {
            builder.traceId(Long.toHexString(this.random.nextLong())).spanId("s" + text().hashCode());
        }
        if (this.random.nextBoolean()) {
            builder.labels(Labels.of("env", text(), "dot.name", "v"));
        }
        if (this.random.nextBoolean()) {
            builder.timestampMillis(timestamp());
        }
        return builder.build();
    }

    private long timestamp() {
        return switch (this.random.nextInt(5)) {
            case 0 -> this.random.nextInt(2000);
            case 1 -> -this.random.nextInt(100_000);
            default -> 1_700_000_000_000L + this.random.nextInt(1_000_000_000);
        };
    }

    private String name() {
        int parts = 1 + this.random.nextInt(3);
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            name.append((i > 0) ? (this.random.nextInt(4) == 0 ? "." : "_") : "")
                .append(NAME_PARTS[this.random.nextInt(NAME_PARTS.length)]);
        }
        name.append('_').append(this.random.nextInt(1_000_000));
        return name.toString();
    }

    private String text() {
        int parts = this.random.nextInt(4);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < parts; i++) {
            text.append(TEXT_PARTS[this.random.nextInt(TEXT_PARTS.length)]);
        }
        return text.toString();
    }

    /**
     * A double of any kind: specials, integers small and large, decimals, tiny and huge
     * magnitudes, and random bit patterns.
     * @return the double
     */
    double randomDouble() {
        return switch (this.random.nextInt(12)) {
            case 0 -> new double[] { Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
                    Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e7, 9_999_999, 1e-3, 0.001 - 1e-18,
                    Long.MAX_VALUE, (double) Long.MIN_VALUE }[this.random.nextInt(14)];
            case 1, 2 -> this.random.nextInt(20_000_000) - 10_000_000;
            case 3 -> (double) this.random.nextLong();
            case 4 -> this.random.nextInt(100_000) / 1000.0;
            case 5 -> this.random.nextDouble();
            case 6 -> this.random.nextGaussian() * Math.pow(10, this.random.nextInt(40) - 20);
            case 7 -> Math.pow(2, this.random.nextInt(120) - 60);
            default -> Double.longBitsToDouble(this.random.nextLong());
        };
    }

}
