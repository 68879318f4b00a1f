package io.github.workerexporter.instrument;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.jspecify.annotations.Nullable;

/**
 * Response that counts the body bytes written through its output stream or writer. The
 * writer is the container's own, so its buffering is unchanged; characters are counted as
 * the bytes they encode to in the response's character encoding. Each keeps its own count
 * (a response is written by one thread at a time), so that counting costs one object
 * besides the wrapper.
 *
 * @author Worker Exporter
 */
final class CountingResponse extends HttpServletResponseWrapper {

    private @Nullable CountingOutputStream outputStream;

    private @Nullable CountingPrintWriter writer;

    CountingResponse(HttpServletResponse response) {
        super(response);
    }

    long bytesWritten() {
        CountingOutputStream stream = this.outputStream;
        CountingPrintWriter printWriter = this.writer;
        return ((stream != null) ? stream.count : 0) + ((printWriter != null) ? printWriter.count() : 0);
    }

    @Override
    public synchronized ServletOutputStream getOutputStream() throws IOException {
        CountingOutputStream stream = this.outputStream;
        if (stream == null) {
            stream = new CountingOutputStream(super.getOutputStream());
            this.outputStream = stream;
        }
        return stream;
    }

    @Override
    public synchronized PrintWriter getWriter() throws IOException {
        CountingPrintWriter printWriter = this.writer;
        if (printWriter == null) {
            PrintWriter delegate = super.getWriter();
            Charset charset = Charset.forName(getCharacterEncoding());
            printWriter = new CountingPrintWriter(delegate, new EncodedLength(charset));
            this.writer = printWriter;
        }
        return printWriter;
    }

    private static final class CountingOutputStream extends ServletOutputStream {

        private final ServletOutputStream delegate;

        private volatile long count;

        CountingOutputStream(ServletOutputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(int b) throws IOException {
            this.delegate.write(b);
            this.count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            this.delegate.write(b, off, len);
            this.count += len;
        }

        @Override
        public void flush() throws IOException {
            this.delegate.flush();
        }

        @Override
        public void close() throws IOException {
            this.delegate.close();
        }

        @Override
        public boolean isReady() {
            return this.delegate.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            this.delegate.setWriteListener(listener);
        }

    }

}
