package io.github.workerexporter.metrics;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.workerexporter.metrics.RequestMetrics.RouteLabels;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_35_0.Metrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request histograms with {@code exporter.metrics.histograms} native or both, with
 * and without route labels, as Prometheus reads them: the protobuf exposition, decoded
 * with client_java's own protobuf classes.
 *
 * @author Worker Exporter
 */
class RequestMetricsNativeTests {

    private static final String DURATION = "gunicorn_worker_request_duration_seconds";

    @ParameterizedTest
    @EnumSource(RouteLabels.class)
    void nativeHistogramsHaveNativeBucketsAndNoClassicBuckets(RouteLabels routeLabels) throws IOException {
        Map<String, Metrics.MetricFamily> families = scrape(HistogramSettings.Kind.NATIVE, routeLabels);
        for (String name : List.of(DURATION, "gunicorn_worker_request_size_bytes",
                "gunicorn_worker_response_size_bytes")) {
            Metrics.Histogram histogram = families.get(name).getMetric(0).getHistogram();
            assertThat(histogram.getSchema()).as(name).isEqualTo(5);
            assertThat(histogram.getPositiveSpanCount()).as(name).isPositive();
            assertThat(histogram.getBucketCount()).as(name).isZero();
        }
        Metrics.Histogram duration = families.get(DURATION).getMetric(0).getHistogram();
        assertThat(duration.getSampleCount()).isEqualTo(3);
        assertThat(duration.getSampleSum()).isCloseTo(0.03 + 0.7 + 3, org.assertj.core.data.Offset.offset(1e-9));
        // 30 ms, 700 ms and 3 s: three buckets, each of one observation (deltas 1, 0, 0)
        assertThat(duration.getPositiveDeltaList()).containsExactly(1L, 0L, 0L);
        assertThat(families.get("gunicorn_worker_requests_total").getMetric(0).getCounter().getValue()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(RouteLabels.class)
    void bothKeepsTheOriginalsClassicBucketsBesideTheNativeOnes(RouteLabels routeLabels) throws IOException {
        Metrics.Histogram duration = scrape(HistogramSettings.Kind.BOTH, routeLabels).get(DURATION)
            .getMetric(0)
            .getHistogram();
        assertThat(duration.getSchema()).isEqualTo(5);
        assertThat(duration.getPositiveDeltaList()).containsExactly(1L, 0L, 0L);
        assertThat(duration.getBucketList()).extracting(Metrics.Bucket::getUpperBound)
            .containsExactly(0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, Double.POSITIVE_INFINITY);
        assertThat(duration.getBucketList()).extracting(Metrics.Bucket::getCumulativeCount)
            .containsExactly(1L, 1L, 2L, 2L, 3L, 3L, 3L, 3L, 3L);
    }

    @ParameterizedTest
    @EnumSource(RouteLabels.class)
    void classicHasNoNativeBuckets(RouteLabels routeLabels) throws IOException {
        Metrics.Histogram duration = scrape(HistogramSettings.Kind.CLASSIC, routeLabels).get(DURATION)
            .getMetric(0)
            .getHistogram();
        assertThat(duration.getPositiveSpanCount()).isZero();
        assertThat(duration.getBucketCount()).isEqualTo(9);
    }

    @ParameterizedTest
    @EnumSource(RouteLabels.class)
    void theTextFormatOfANativeHistogramHasItsCountAndSumAndNoClassicBuckets(RouteLabels routeLabels) {
        PrometheusRegistry registry = new PrometheusRegistry();
        record(registry, HistogramSettings.Kind.NATIVE, routeLabels);
        RequestExposition text = RequestExposition.scrape(registry);
        String labels = (routeLabels == RouteLabels.OFF) ? "{worker_id=\"w1\"}"
                : "{endpoint=\"/users/{id}\",method=\"GET\",status=\""
                        + ((routeLabels == RouteLabels.STATUS_CLASS) ? "2xx" : "200") + "\",worker_id=\"w1\"}";
        assertThat(text.value(DURATION + "_count" + labels)).as(text.text()).isEqualTo(3);
        assertThat(text.value(DURATION + "_sum" + labels)).isEqualTo(3.73, org.assertj.core.data.Offset.offset(1e-9));
        // client_java writes a native histogram's one classic bucket, +Inf
        assertThat(text.samples().keySet()).filteredOn((key) -> key.startsWith(DURATION + "_bucket"))
            .singleElement()
            .satisfies((key) -> assertThat(key).contains("le=\"+Inf\""));
    }

    private static Map<String, Metrics.MetricFamily> scrape(HistogramSettings.Kind kind, RouteLabels routeLabels)
            throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        record(registry, kind, routeLabels);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new PrometheusProtobufWriter().write(out, registry.scrape());
        return decode(new ByteArrayInputStream(out.toByteArray()));
    }

    private static void record(PrometheusRegistry registry, HistogramSettings.Kind kind, RouteLabels routeLabels) {
        RequestMetrics metrics = new RequestMetrics(registry, "gunicorn", "w1", 50, routeLabels, List.of(),
                RequestExemplars.NONE, new HistogramSettings(kind, 5, 0x1p-128, 160));
        metrics.record("GET", "/users/{id}", 200, 30_000_000, 10, 512, null);
        metrics.record("GET", "/users/{id}", 200, 700_000_000, 10, 70_000, null);
        metrics.record("GET", "/users/{id}", 200, 3_000_000_000L, 10, 20, null);
    }

    /**
     * Decode a delimited protobuf exposition.
     * @param in the exposition
     * @return the families by name
     * @throws IOException if it cannot be read
     */
    static Map<String, Metrics.MetricFamily> decode(InputStream in) throws IOException {
        Map<String, Metrics.MetricFamily> families = new LinkedHashMap<>();
        Metrics.MetricFamily family;
        while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
            families.put(family.getName(), family);
        }
        return families;
    }

}
