package io.github.workerexporter.instrument;

import reactor.core.publisher.Flux;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

/**
 * Request whose body counts the bytes the application consumes.
 *
 * @author Worker Exporter
 */
final class CountingServerRequest extends ServerHttpRequestDecorator {

    /** Written by one signal at a time: Reactive Streams signals are serial. */
    private volatile long count;

    CountingServerRequest(ServerHttpRequest delegate) {
        super(delegate);
    }

    @Override
    public Flux<DataBuffer> getBody() {
        return super.getBody().doOnNext((buffer) -> this.count += buffer.readableByteCount());
    }

    long bytesRead() {
        return this.count;
    }

}
