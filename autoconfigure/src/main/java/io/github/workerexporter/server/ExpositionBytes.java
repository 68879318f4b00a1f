package io.github.workerexporter.server;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte array that text exposition lines are written into, with the encodings
 * client_java's text writers use: UTF-8 as their {@code OutputStreamWriter} writes it (an
 * unpaired surrogate becomes {@code ?}), their escaping of label values and help texts,
 * and their numbers ({@code Long.toString}, {@code Double.toString}, {@code +Inf},
 * {@code -Inf}), without a {@code String} per number: integral doubles under 10⁷ are
 * written as digits and {@code .0}, others through a reused {@link StringBuilder}, which
 * formats a {@code double} exactly as {@link Double#toString(double)} does on the same
 * JDK.
 *
 * @author Worker Exporter
 */
final class ExpositionBytes {

    /** Escape nothing (names known to be valid, numbers). */
    static final int RAW = 0;

    /** Escape {@code \}, {@code "} and a newline, as label values and quoted names. */
    static final int QUOTED = 1;

    /** Escape {@code \} and a newline, as the Prometheus text format's HELP. */
    static final int HELP = 2;

    private static final byte[] POSITIVE_INFINITY = { '+', 'I', 'n', 'f' };

    private static final byte[] NEGATIVE_INFINITY = { '-', 'I', 'n', 'f' };

    private static final byte[] LONG_MIN_VALUE = { '-', '9', '2', '2', '3', '3', '7', '2', '0', '3', '6', '8', '5', '4',
            '7', '7', '5', '8', '0', '8' };

    private final StringBuilder number = new StringBuilder(32);

    private byte[] bytes;

    private int size;

    ExpositionBytes(int capacity) {
        this.bytes = new byte[capacity];
    }

    int size() {
        return this.size;
    }

    boolean isEmpty() {
        return this.size == 0;
    }

    void clear() {
        this.size = 0;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(this.bytes, this.size);
    }

    /**
     * Write the bytes to a stream and forget them.
     * @param out the stream
     * @throws IOException if the stream fails
     */
    void drainTo(OutputStream out) throws IOException {
        if (this.size > 0) {
            out.write(this.bytes, 0, this.size);
            this.size = 0;
        }
    }

    ExpositionBytes append(ExpositionBytes other) {
        ensure(other.size);
        System.arraycopy(other.bytes, 0, this.bytes, this.size, other.size);
        this.size += other.size;
        return this;
    }

    /**
     * The array the bytes are in, valid until the next append.
     * @return the array, of which the first {@link #size()} bytes are written
     */
    byte[] array() {
        return this.bytes;
    }

    ExpositionBytes append(byte[] other, int from, int length) {
        ensure(length);
        System.arraycopy(other, from, this.bytes, this.size, length);
        this.size += length;
        return this;
    }

    ExpositionBytes append(byte[] other) {
        ensure(other.length);
        System.arraycopy(other, 0, this.bytes, this.size, other.length);
        this.size += other.length;
        return this;
    }

    ExpositionBytes append(char ascii) {
        ensure(1);
        this.bytes[this.size++] = (byte) ascii;
        return this;
    }

    /**
     * Append a string, UTF-8 encoded, escaped as asked.
     * @param text the string
     * @param escape {@link #RAW}, {@link #QUOTED} or {@link #HELP}
     * @return this
     */
    ExpositionBytes append(String text, int escape) {
        int length = text.length();
        ensure(length);
        byte[] bytes = this.bytes;
        int size = this.size;
        int i = 0;
        // ASCII without anything to escape: one byte per char.
        for (; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80 || c == '\\' || c == '\n' || c == '"') {
                break;
            }
            bytes[size++] = (byte) c;
        }
        this.size = size;
        if (i < length) {
            appendSlow(text, i, escape);
        }
        return this;
    }

    private void appendSlow(String text, int from, int escape) {
        int length = text.length();
        for (int i = from; i < length; i++) {
            char c = text.charAt(i);
            ensure(4);
            if (c < 0x80) {
                if (escape != RAW && (c == '\\' || c == '\n' || (c == '"' && escape == QUOTED))) {
                    this.bytes[this.size++] = '\\';
                    this.bytes[this.size++] = (byte) ((c == '\n') ? 'n' : c);
                }
                else {
                    this.bytes[this.size++] = (byte) c;
                }
            }
            else if (c < 0x800) {
                this.bytes[this.size++] = (byte) (0xC0 | (c >> 6));
                this.bytes[this.size++] = (byte) (0x80 | (c & 0x3F));
            }
            else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                    int codePoint = Character.toCodePoint(c, text.charAt(++i));
                    this.bytes[this.size++] = (byte) (0xF0 | (codePoint >> 18));
                    this.bytes[this.size++] = (byte) (0x80 | ((codePoint >> 12) & 0x3F));
                    this.bytes[this.size++] = (byte) (0x80 | ((codePoint >> 6) & 0x3F));
                    this.bytes[this.size++] = (byte) (0x80 | (codePoint & 0x3F));
                }
                else {
                    // What the JDK's UTF-8 encoder writes for malformed input.
                    this.bytes[this.size++] = '?';
                }
            }
            else {
                this.bytes[this.size++] = (byte) (0xE0 | (c >> 12));
                this.bytes[this.size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                this.bytes[this.size++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    /**
     * Append a long as {@link Long#toString(long)} writes it.
     * @param value the value
     * @return this
     */
    ExpositionBytes appendLong(long value) {
        if (value == Long.MIN_VALUE) {
            return append(LONG_MIN_VALUE);
        }
        ensure(20);
        long v = value;
        if (v < 0) {
            this.bytes[this.size++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long limit = 10; digits < 19 && v >= limit; limit *= 10) {
            digits++;
        }
        int end = this.size + digits;
        for (int p = end - 1; p >= this.size; p--) {
            this.bytes[p] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        this.size = end;
        return this;
    }

    /**
     * Append a double as client_java's text writers write it: {@code +Inf}, {@code -Inf},
     * else {@link Double#toString(double)}.
     * @param value the value
     * @return this
     */
    ExpositionBytes appendDouble(double value) {
        if (value == Double.POSITIVE_INFINITY) {
            return append(POSITIVE_INFINITY);
        }
        if (value == Double.NEGATIVE_INFINITY) {
            return append(NEGATIVE_INFINITY);
        }
        if (value == 0) {
            if (Double.doubleToRawLongBits(value) != 0) {
                append('-');
            }
            return append('0').append('.').append('0');
        }
        if (value >= 1 && value < 1e7 || value <= -1 && value > -1e7) {
            long integral = (long) value;
            if (integral == value) {
                return appendLong(integral).append('.').append('0');
            }
        }
        StringBuilder number = this.number;
        number.setLength(0);
        number.append(value);
        int length = number.length();
        ensure(length);
        for (int i = 0; i < length; i++) {
            this.bytes[this.size++] = (byte) number.charAt(i);
        }
        return this;
    }

    /**
     * Append a timestamp in seconds with three decimals, as client_java's
     * {@code writeOpenMetricsTimestamp} writes it (negative values included).
     * @param millis the timestamp in milliseconds
     * @return this
     */
    ExpositionBytes appendSeconds(long millis) {
        appendLong(millis / 1000L).append('.');
        long ms = millis % 1000;
        if (ms < 100) {
            append('0');
        }
        if (ms < 10) {
            append('0');
        }
        return appendLong(ms);
    }

    private void ensure(int more) {
        if (this.size + more > this.bytes.length) {
            this.bytes = Arrays.copyOf(this.bytes, Math.max(this.bytes.length * 2, this.size + more));
        }
    }

}
