package io.github.workerexporter.storage;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * A compact, versioned binary encoding of client_java {@link MetricSnapshots}: counters,
 * gauges, classic histograms (and gauge histograms), summaries, info, state sets and
 * unknown families, with name, help, unit, labels, values, created timestamps and the
 * exemplars of counters and histograms, and the native buckets of native histograms
 * (schema, zero threshold, zero count, positive and negative buckets; a histogram that is
 * both keeps both).
 *
 * <pre>
 * int   magic 0x57455853 ("WEXS")
 * byte  version: 1 without exemplars, 2 when a counter or histogram has one (then each
 *       counter and histogram point is followed by its exemplars, see SnapshotEncoder),
 *       3 when a histogram has native buckets (as 2, and each histogram point's classic
 *       buckets are followed by its native ones or a marker of none)
 * int   family count, then per family:
 *       byte type, string name, string help, string unit ("" = none),
 *       int point count, then per point:
 *           int label count, (string name, string value)..., long created (0 = none),
 *           then the type's values (see SnapshotEncoder)
 * string = int byte length + UTF-8 bytes; numbers big-endian
 * </pre>
 *
 * A record is written in the lowest version that holds it, so records without native
 * histograms (or without exemplars) are byte for byte what the earlier versions wrote,
 * and the decoder reads all three. A native histogram holds at most its bucket limit of
 * buckets (client_java's {@code nativeMaxNumberOfBuckets}), so its encoding is bounded
 * too: 12 bytes per bucket.
 *
 * Decoding bytes that are foreign, truncated or corrupt throws {@link StoreException},
 * never another exception. Decoding keeps the label sets and family metadata it built
 * ({@link SnapshotDecodeCache}), so decoding the next record of the same worker builds
 * its data points only; decodes run one at a time.
 *
 * @author Worker Exporter
 */
public final class BinarySnapshotCodec implements SnapshotCodec {

    static final int MAGIC = 0x57455853;

    static final byte VERSION = 1;

    static final byte VERSION_WITH_EXEMPLARS = 2;

    static final byte VERSION_WITH_NATIVE_HISTOGRAMS = 3;

    private final SnapshotDecodeCache labels = new SnapshotDecodeCache(System::nanoTime);

    private final SnapshotDecodeCache metadata = new SnapshotDecodeCache(System::nanoTime);

    private final SnapshotDecodeCache strings = new SnapshotDecodeCache(System::nanoTime);

    @Override
    public byte[] encode(MetricSnapshots snapshots) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            boolean natives = SnapshotEncoder.hasNativeHistograms(snapshots);
            boolean exemplars = natives || SnapshotEncoder.hasExemplars(snapshots);
            out.writeInt(MAGIC);
            out.writeByte(natives ? VERSION_WITH_NATIVE_HISTOGRAMS : exemplars ? VERSION_WITH_EXEMPLARS : VERSION);
            new SnapshotEncoder(out, exemplars, natives).write(snapshots);
        }
        catch (IOException ex) {
            // A ByteArrayOutputStream does not fail.
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    @Override
    public MetricSnapshots decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    @Override
    public MetricSnapshots decode(byte[] bytes, int offset, int length) {
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length).slice();
        try {
            if (length < 5 || in.getInt() != MAGIC) {
                throw new StoreException("Not a metric snapshot encoding (bad magic)");
            }
            byte version = in.get();
            if (version < VERSION || version > VERSION_WITH_NATIVE_HISTOGRAMS) {
                throw new StoreException("Unsupported metric snapshot encoding version " + version);
            }
            MetricSnapshots snapshots;
            synchronized (this.labels) {
                snapshots = new SnapshotDecoder(in, this.labels, this.metadata, this.strings,
                        version >= VERSION_WITH_EXEMPLARS, version == VERSION_WITH_NATIVE_HISTOGRAMS)
                    .read();
            }
            if (in.hasRemaining()) {
                throw new StoreException(in.remaining() + " trailing bytes after the metric snapshots");
            }
            return snapshots;
        }
        catch (BufferUnderflowException ex) {
            throw new StoreException("Truncated metric snapshot encoding", ex);
        }
        catch (IllegalArgumentException | IllegalStateException | NullPointerException ex) {
            // client_java rejects invalid names, duplicate labels and the like.
            throw new StoreException("Invalid metric snapshot encoding: " + ex.getMessage(), ex);
        }
    }

}
