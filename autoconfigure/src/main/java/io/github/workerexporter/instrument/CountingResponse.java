package io.github.workerexporter.instrument;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.Charset;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import org.jspecify.annotations.Nullable;

/**
 * Response that counts the body bytes written through its output stream or writer. The
 * writer is the container's own, so its buffering is unchanged; characters are counted as
 * the bytes they encode to in the response's character encoding. The count is a field of
 * this wrapper and the output stream an inner class of it, so that counting costs one
 * object besides the wrapper.
 *
 * @author Worker Exporter
 */
final class CountingResponse extends HttpServletResponseWrapper {

    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(CountingResponse.class, "count", long.class);
        }
        catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private volatile long count;

    private @Nullable ServletOutputStream outputStream;

    private @Nullable PrintWriter writer;

    CountingResponse(HttpServletResponse response) {
        super(response);
    }

    long bytesWritten() {
        return this.count;
    }

    void add(long bytes) {
        COUNT.getAndAdd(this, bytes);
    }

    @Override
    public synchronized ServletOutputStream getOutputStream() throws IOException {
        ServletOutputStream stream = this.outputStream;
        if (stream == null) {
            stream = new CountingOutputStream(super.getOutputStream());
            this.outputStream = stream;
        }
        return stream;
    }

    @Override
    public synchronized PrintWriter getWriter() throws IOException {
        PrintWriter printWriter = this.writer;
        if (printWriter == null) {
            PrintWriter delegate = super.getWriter();
            Charset charset = Charset.forName(getCharacterEncoding());
            printWriter = new CountingPrintWriter(delegate, new EncodedLength(charset), this);
            this.writer = printWriter;
        }
        return printWriter;
    }

    private final class CountingOutputStream extends ServletOutputStream {

        private final ServletOutputStream delegate;

        CountingOutputStream(ServletOutputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(int b) throws IOException {
            this.delegate.write(b);
            add(1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            this.delegate.write(b, off, len);
            add(len);
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
