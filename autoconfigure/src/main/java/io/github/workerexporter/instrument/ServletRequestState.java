package io.github.workerexporter.instrument;

import java.io.IOException;

import io.github.workerexporter.metrics.RequestMetrics;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

/**
 * What is known about one servlet request, from its first dispatch to its completion. It
 * is also the request passed down the chain, counting the body bytes read through its
 * input stream, so that a request costs three objects: this, the {@link CountingResponse}
 * and, once the application writes, the response's output stream. Recorded once: at the
 * end of the original dispatch, or on async completion.
 *
 * @author Worker Exporter
 */
final class ServletRequestState extends HttpServletRequestWrapper implements AsyncListener {

    /** Request attribute of an exception that the framework turned into a response. */
    static final String HANDLED_ATTRIBUTE = "io.github.workerexporter.instrument.HandledExceptionRecorder.EXCEPTION";

    private final long start = System.nanoTime();

    private final CountingResponse response;

    /** Where the request is recorded; {@code null} once it is. */
    private @Nullable RequestMetrics metrics;

    private @Nullable CountingInputStream inputStream;

    private @Nullable Throwable unhandled;

    ServletRequestState(RequestMetrics metrics, HttpServletRequest request, HttpServletResponse response) {
        super(request);
        this.metrics = metrics;
        this.response = new CountingResponse(response);
        metrics.started();
    }

    CountingResponse response() {
        return this.response;
    }

    void failed(Throwable ex) {
        this.unhandled = ex;
    }

    synchronized void record() {
        RequestMetrics metrics = this.metrics;
        if (metrics == null) {
            return;
        }
        this.metrics = null;
        metrics.finished();
        String method = getMethod();
        String endpoint = ServletRoutes.endpoint(this);
        Object handled = getAttribute(HANDLED_ATTRIBUTE);
        if (handled != null && this.unhandled == null) {
            metrics.recordHandled(method, endpoint, handled.getClass().getSimpleName());
        }
        metrics.record(method, endpoint, this.response.getStatus(), System.nanoTime() - this.start, bytesRead(),
                this.response.bytesWritten(), this.unhandled);
    }

    /**
     * Bytes read through the input stream, or the Content-Length when the input stream
     * was never opened.
     */
    private long bytesRead() {
        CountingInputStream stream = this.inputStream;
        return (stream != null) ? stream.count : Math.max(0, getContentLengthLong());
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

    @Override
    public void onComplete(AsyncEvent event) {
        record();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
    }

    @Override
    public void onError(AsyncEvent event) {
        if (this.unhandled == null && event.getThrowable() != null) {
            this.unhandled = event.getThrowable();
        }
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        event.getAsyncContext().addListener(this);
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
