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

    private final CountingResponse response;

    CountingPrintWriter(PrintWriter delegate, EncodedLength length, CountingResponse response) {
        super(delegate);
        this.delegate = delegate;
        this.length = length;
        this.response = response;
    }

    @Override
    public void write(int c) {
        this.delegate.write(c);
        this.response.add(this.length.of((char) c));
    }

    @Override
    public void write(char[] buf, int off, int len) {
        this.delegate.write(buf, off, len);
        this.response.add(this.length.of(buf, off, len));
    }

    @Override
    public void write(String s, int off, int len) {
        this.delegate.write(s, off, len);
        this.response.add(this.length.of(s, off, len));
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
