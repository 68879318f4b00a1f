package io.github.workerexporter.instrument;

import java.util.function.Consumer;

import org.reactivestreams.Publisher;
import reactor.core.Fuseable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;

/**
 * Response that counts the body bytes written, including streamed ones: a body of one
 * buffer known as it is written is counted at once, any other body as it goes by, with
 * this response as the {@code doOnNext} consumer instead of a lambda per body.
 *
 * @author Worker Exporter
 */
final class CountingServerResponse extends ServerHttpResponseDecorator implements Consumer<DataBuffer> {

    /**
     * A plain field: written by one signal at a time, Reactive Streams signals being
     * serial and each happening before the next, and read when the exchange is recorded,
     * after its terminal signal or as a cancel stops the body (a volatile write fenced
     * each buffer, some nanoseconds).
     */
    private long count;

    CountingServerResponse(ServerHttpResponse delegate) {
        super(delegate);
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
        return super.writeWith(counted(body));
    }

    @Override
    public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
        return super.writeAndFlushWith(Flux.from(body).map(this::counted));
    }

    private Publisher<? extends DataBuffer> counted(Publisher<? extends DataBuffer> body) {
        if (body instanceof Fuseable.ScalarCallable<?> scalar && countScalar(scalar)) {
            return body;
        }
        if (body instanceof Mono<? extends DataBuffer> mono) {
            return mono.doOnNext(this);
        }
        return Flux.from(body).doOnNext(this);
    }

    /**
     * Count a body of one buffer known as it is written ({@code Mono.just(buffer)}), as
     * Reactor's own operators read such a value, without an operator around it.
     * @param scalar the body
     * @return whether it was counted: not when reading it fails
     */
    private boolean countScalar(Fuseable.ScalarCallable<?> scalar) {
        Object value;
        try {
            value = scalar.call();
        }
        catch (Exception ex) {
            return false;
        }
        if (value instanceof DataBuffer buffer) {
            accept(buffer);
        }
        return true;
    }

    /**
     * Count a buffer of the body as it is written.
     * @param buffer the buffer
     */
    @Override
    public void accept(DataBuffer buffer) {
        this.count += buffer.readableByteCount();
    }

    long bytesWritten() {
        return this.count;
    }

}
