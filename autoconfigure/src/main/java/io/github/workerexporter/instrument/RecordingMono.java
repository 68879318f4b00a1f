package io.github.workerexporter.instrument;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.Scannable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The filter chain's {@link Mono} of one exchange, and its subscriber: passes every
 * signal on and records the exchange once, after the chain completed, failed or was
 * cancelled, as {@code doOnError(…).doFinally(…)} would, in one object per exchange
 * instead of two operators, two subscribers and two lambdas.
 * <p>
 * An error is noted before it goes on. Reactor throws an error fatal to the JVM (an
 * {@link OutOfMemoryError} or a {@link StackOverflowError}) up the stack instead of
 * signalling it, and the server then drops the connection: one thrown while the chain is
 * subscribed to is noted and the exchange recorded, then it goes on, so that it leaves no
 * exchange in flight; so is one thrown by the subscriber below as it takes a signal. The
 * exchange is subscribed to once by the server; a further subscriber gets the chain
 * unrecorded.
 *
 * @author Worker Exporter
 */
final class RecordingMono extends Mono<Void> implements CoreSubscriber<Void>, Subscription, Scannable {

    private static final AtomicIntegerFieldUpdater<RecordingMono> RECORDED = AtomicIntegerFieldUpdater
        .newUpdater(RecordingMono.class, "recorded");

    private final Mono<Void> source;

    private final CountingServerWebExchange exchange;

    private @Nullable CoreSubscriber<? super Void> actual;

    private @Nullable Subscription upstream;

    private volatile int recorded;

    private RecordingMono(Mono<Void> source, CountingServerWebExchange exchange) {
        this.source = source;
        this.exchange = exchange;
    }

    static Mono<Void> of(Mono<Void> source, CountingServerWebExchange exchange) {
        return onAssembly(new RecordingMono(source, exchange));
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
        if (this.actual != null) {
            this.source.subscribe(actual);
            return;
        }
        this.actual = actual;
        try {
            this.source.subscribe(this);
        }
        catch (RuntimeException | Error ex) {
            this.exchange.failed(ex);
            record();
            throw ex;
        }
    }

    @Override
    public void onSubscribe(Subscription subscription) {
        if (Operators.validate(this.upstream, subscription)) {
            this.upstream = subscription;
            actual().onSubscribe(this);
        }
    }

    @Override
    public void onNext(Void value) {
        actual().onNext(value);
    }

    @Override
    public void onError(Throwable error) {
        this.exchange.failed(error);
        try {
            actual().onError(error);
        }
        finally {
            record();
        }
    }

    @Override
    public void onComplete() {
        try {
            actual().onComplete();
        }
        finally {
            record();
        }
    }

    @Override
    public void request(long n) {
        upstream().request(n);
    }

    @Override
    public void cancel() {
        try {
            upstream().cancel();
        }
        finally {
            record();
        }
    }

    @Override
    public Context currentContext() {
        return actual().currentContext();
    }

    @Override
    public @Nullable Object scanUnsafe(Attr key) {
        if (key == Attr.PARENT) {
            return this.upstream;
        }
        if (key == Attr.ACTUAL) {
            return this.actual;
        }
        if (key == Attr.TERMINATED || key == Attr.CANCELLED) {
            return this.recorded == 1;
        }
        return (key == Attr.RUN_STYLE) ? Attr.RunStyle.SYNC : null;
    }

    private void record() {
        if (RECORDED.compareAndSet(this, 0, 1)) {
            try {
                this.exchange.record(actual());
            }
            catch (Throwable ex) {
                Exceptions.throwIfFatal(ex);
                Operators.onErrorDropped(ex, currentContext());
            }
        }
    }

    private CoreSubscriber<? super Void> actual() {
        CoreSubscriber<? super Void> actual = this.actual;
        if (actual == null) {
            throw new IllegalStateException("Not subscribed");
        }
        return actual;
    }

    private Subscription upstream() {
        Subscription upstream = this.upstream;
        if (upstream == null) {
            throw new IllegalStateException("No subscription");
        }
        return upstream;
    }

}
