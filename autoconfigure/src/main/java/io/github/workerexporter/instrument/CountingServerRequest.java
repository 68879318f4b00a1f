package io.github.workerexporter.instrument;

import java.util.function.Consumer;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

/**
 * Request whose body counts the bytes the application consumes, with this request as the
 * {@code doOnNext} consumer instead of a lambda per body.
 *
 * @author Worker Exporter
 */
final class CountingServerRequest extends ServerHttpRequestDecorator implements Consumer<DataBuffer> {

    /**
     * A plain field: written by one signal at a time, Reactive Streams signals being
     * serial and each happening before the next, and read when the exchange is recorded,
     * after its terminal signal or as a cancel stops the body.
     */
    private long count;

    CountingServerRequest(ServerHttpRequest delegate) {
        super(delegate);
    }

    @Override
    public Flux<DataBuffer> getBody() {
        return super.getBody().doOnNext(this);
    }

    /**
     * Count a buffer of the body as the application consumes it.
     * @param buffer the buffer
     */
    @Override
    public void accept(DataBuffer buffer) {
        this.count += buffer.readableByteCount();
    }

    long bytesRead() {
        return this.count;
    }

}
