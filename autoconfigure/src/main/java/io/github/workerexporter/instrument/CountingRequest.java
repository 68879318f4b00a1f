package io.github.workerexporter.instrument;

import java.io.IOException;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import org.jspecify.annotations.Nullable;

/**
 * Request that counts the body bytes read through its input stream.
 *
 * @author Worker Exporter
 */
final class CountingRequest extends HttpServletRequestWrapper {

    private @Nullable CountingInputStream inputStream;

    CountingRequest(HttpServletRequest request) {
        super(request);
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
        CountingInputStream stream = this.inputStream;
        if (stream == null) {
            stream = new CountingInputStream(super.getInputStream());
            this.inputStream = stream;
        }
        return stream;
    }

    /**
     * Bytes read through the input stream, or the Content-Length when the input stream
     * was never opened.
     * @return the request body size
     */
    long bytesRead() {
        CountingInputStream stream = this.inputStream;
        return (stream != null) ? stream.count : Math.max(0, getContentLengthLong());
    }

    private static final class CountingInputStream extends ServletInputStream {

        private final ServletInputStream delegate;

        private volatile long count;

        CountingInputStream(ServletInputStream delegate) {
            this.delegate = delegate;
        }

        @Override
        public int read() throws IOException {
            int b = this.delegate.read();
            if (b >= 0) {
                this.count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = this.delegate.read(b, off, len);
            if (n > 0) {
                this.count += n;
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return this.delegate.available();
        }

        @Override
        public void close() throws IOException {
            this.delegate.close();
        }

        @Override
        public boolean isFinished() {
            return this.delegate.isFinished();
        }

        @Override
        public boolean isReady() {
            return this.delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            this.delegate.setReadListener(listener);
        }

    }

}
