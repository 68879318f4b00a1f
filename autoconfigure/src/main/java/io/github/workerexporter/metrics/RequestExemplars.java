package io.github.workerexporter.metrics;

import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.core.exemplars.ExemplarSampler;
import io.prometheus.metrics.core.exemplars.ExemplarSamplerConfig;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.tracer.common.SpanContext;
import io.prometheus.metrics.tracer.initializer.SpanContextSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Where the request families' exemplars come from: the current span of a tracer, read
 * when a request is recorded. The span is Spring Boot's {@link SpanContext} bean
 * (Micrometer Tracing, over the Brave or OpenTelemetry bridge), else the one
 * client_java's {@link SpanContextSupplier} found (the OpenTelemetry Java agent); with
 * neither there are no exemplars, and recording pays one null check.
 * <p>
 * Sampling is client_java's own {@link ExemplarSampler}: an exemplar per bucket, kept at
 * least its minimum retention period, new ones taken only from sampled spans, with the
 * {@code io.prometheus.exemplars.*} settings of client_java's configuration. It allocates
 * only when it takes an exemplar.
 *
 * @author Worker Exporter
 */
public final class RequestExemplars {

    /** No tracer: no exemplars. */
    public static final RequestExemplars NONE = new RequestExemplars(null, false);

    private final @Nullable SpanContext spanContext;

    private final boolean enabled;

    private RequestExemplars(@Nullable SpanContext spanContext, boolean enabled) {
        this.spanContext = spanContext;
        this.enabled = enabled;
    }

    /**
     * Exemplars from a tracer's span, or from the OpenTelemetry agent's when there is no
     * tracer bean.
     * @param spanContext the application's span context, if any
     * @return the exemplars, {@link #NONE} when no span can be read
     */
    public static RequestExemplars of(@Nullable SpanContext spanContext) {
        if (spanContext != null) {
            return new RequestExemplars(spanContext, true);
        }
        return SpanContextSupplier.hasSpanContext() ? new RequestExemplars(null, true) : NONE;
    }

    /**
     * Whether exemplars are taken at all.
     * @return whether a span can be read
     */
    public boolean enabled() {
        return this.enabled;
    }

    /**
     * A sampler for one histogram data point.
     * @param upperBounds the bucket bounds, {@code +Inf} last, or {@code null} for a
     * native histogram without classic buckets
     * @return the sampler, or {@code null} when no span can be read
     */
    @Nullable ExemplarSampler sampler(double @Nullable [] upperBounds) {
        if (!this.enabled) {
            return null;
        }
        // without classic buckets, client_java's native histogram keeps 4 exemplars
        ExemplarSamplerConfig config = (upperBounds != null)
                ? new ExemplarSamplerConfig(PrometheusProperties.get().getExemplarProperties(), upperBounds)
                : new ExemplarSamplerConfig(PrometheusProperties.get().getExemplarProperties(), 4);
        return (this.spanContext != null) ? new ExemplarSampler(config, this.spanContext) : new ExemplarSampler(config);
    }

    /**
     * The exemplars of a histogram data point.
     * @param sampler its sampler, if any
     * @return the exemplars, empty without a sampler
     */
    static Exemplars of(@Nullable ExemplarSampler sampler) {
        return (sampler != null) ? sampler.collect() : Exemplars.EMPTY;
    }

    /**
     * The request counter's exemplar: the newest of the duration histogram's, as a
     * counter carries one.
     * @param exemplars the duration histogram's exemplars
     * @return the newest, or {@code null}
     */
    static @Nullable Exemplar newest(Exemplars exemplars) {
        Exemplar newest = null;
        for (Exemplar exemplar : exemplars) {
            if (newest == null || exemplar.getTimestampMillis() > newest.getTimestampMillis()) {
                newest = exemplar;
            }
        }
        return newest;
    }

}
