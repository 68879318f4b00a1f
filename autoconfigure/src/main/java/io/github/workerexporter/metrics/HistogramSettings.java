package io.github.workerexporter.metrics;

/**
 * How the request histograms are kept: classic buckets, a native histogram, or both, and
 * the native histogram's resolution and bucket limit (client_java's defaults: schema 5,
 * zero threshold 2<sup>-128</sup>, 160 buckets).
 *
 * @param kind classic, native or both
 * @param initialSchema the native schema to start at, from -4 to 8 (bucket bounds grow by
 * 2<sup>2<sup>-schema</sup></sup>)
 * @param zeroThreshold the native zero bucket's width: values within it of zero count as
 * zero, at least 0
 * @param maxBuckets the native bucket limit: past it the schema is reduced, at least 1
 * @author Worker Exporter
 */
public record HistogramSettings(Kind kind, int initialSchema, double zeroThreshold, int maxBuckets) {

    /** The lowest schema: a bucket spans a factor of 65536. */
    public static final int MIN_SCHEMA = -4;

    /** The highest schema: a bucket spans a factor of 1.0027. */
    public static final int MAX_SCHEMA = 8;

    /** Classic buckets only, the original's exposition. */
    public static final HistogramSettings CLASSIC = new HistogramSettings(Kind.CLASSIC, 5, 0x1p-128, 160);

    /**
     * Settings, checked.
     * @param kind classic, native or both
     * @param initialSchema the native schema to start at, from -4 to 8
     * @param zeroThreshold the native zero bucket's width, at least 0
     * @param maxBuckets the native bucket limit, at least 1
     */
    public HistogramSettings {
        if (initialSchema < MIN_SCHEMA || initialSchema > MAX_SCHEMA) {
            throw new IllegalArgumentException("Schema must be from -4 to 8: " + initialSchema);
        }
        if (!(zeroThreshold >= 0) || Double.isInfinite(zeroThreshold)) {
            throw new IllegalArgumentException("Zero threshold must be finite and at least 0: " + zeroThreshold);
        }
        if (maxBuckets < 1) {
            throw new IllegalArgumentException("Bucket limit must be at least 1: " + maxBuckets);
        }
    }

    /**
     * Which histograms are kept.
     */
    public enum Kind {

        /** Classic buckets only. */
        CLASSIC,

        /** A native histogram only. */
        NATIVE,

        /**
         * Classic buckets and a native histogram in one data point, as client_java does.
         */
        BOTH

    }

}
