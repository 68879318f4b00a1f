package io.github.workerexporter.benchmarks;

import java.io.OutputStream;

/**
 * Counts the bytes written and drops them: the size of an exposition without keeping it.
 *
 * @author Worker Exporter
 */
final class CountingStream extends OutputStream {

    /** The bytes written since it was created or last set to 0. */
    long count;

    @Override
    public void write(int b) {
        this.count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        this.count += len;
    }

}
