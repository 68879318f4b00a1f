package io.github.workerexporter.instrument;

import java.io.PrintWriter;

/**
 * Print writer that writes to the container's writer and counts the encoded bytes of what
 * it writes. Every print, println and format method of {@link PrintWriter} ends in one of
 * the write methods overridden here.
 *
 * @author Worker Exporter
 */
final class CountingPrintWriter extends PrintWriter {

    private final PrintWriter delegate;

    private final EncodedLength length;

    private volatile long count;

    CountingPrintWriter(PrintWriter delegate, EncodedLength length) {
        super(delegate);
        this.delegate = delegate;
        this.length = length;
    }

    @Override
    public void write(int c) {
        this.delegate.write(c);
        this.count += this.length.of((char) c);
    }

    @Override
    public void write(char[] buf, int off, int len) {
        this.delegate.write(buf, off, len);
        this.count += this.length.of(buf, off, len);
    }

    @Override
    public void write(String s, int off, int len) {
        this.delegate.write(s, off, len);
        this.count += this.length.of(s, off, len);
    }

    long count() {
        return this.count;
    }

    @Override
    public void println() {
        write(System.lineSeparator());
    }

    @Override
    public void flush() {
        this.delegate.flush();
    }

    @Override
    public void close() {
        this.delegate.close();
    }

    @Override
    public boolean checkError() {
        return this.delegate.checkError();
    }

}
