package io.github.workerexporter.metrics;

import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Map;

import io.github.workerexporter.server.MetricsServerManager;
import io.github.workerexporter.testing.RawHttp;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_35_0.Metrics;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code exporter.metrics.histograms=both}, a Spring MVC application on Tomcat
 * serves the request histograms as Prometheus scrapes native histograms: the metrics
 * server and {@code /actuator/prometheus}, asked for protobuf over real HTTP, answer with
 * native buckets (and the classic ones), and the text format keeps the classic buckets.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = NativeHistogramsScrapeTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "exporter.worker.id=w1",
                "exporter.prometheus.metrics-port=0", "exporter.metrics.histograms=both",
                "management.endpoints.web.exposure.include=prometheus" })
class NativeHistogramsScrapeTests {

    private static final String PROTOBUF = "application/vnd.google.protobuf;"
            + "proto=io.prometheus.client.MetricFamily;encoding=delimited";

    @LocalServerPort
    private int port;

    @Autowired
    private MetricsServerManager metricsServer;

    @Test
    void bothEndpointsServeNativeBucketsOverProtobuf() throws Exception {
        assertThat(RawHttp.get(this.port, "/hello").status()).isEqualTo(200);
        for (int[] endpoint : new int[][] { { this.metricsServer.getPort(), 0 }, { this.port, 1 } }) {
            String path = (endpoint[1] == 0) ? "/metrics" : "/actuator/prometheus";
            // the filter may record after the client has the response: wait for it
            Metrics.Histogram duration = await(path).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> duration(endpoint[0], path), (histogram) -> histogram.getSampleCount() > 0);
            assertThat(duration.getSchema()).as(path).isEqualTo(5);
            assertThat(duration.getPositiveSpanCount()).as(path).isPositive();
            assertThat(duration.getPositiveDeltaList().stream().mapToLong(Long::longValue).sum()).as(path).isPositive();
            assertThat(duration.getBucketCount()).as(path).isEqualTo(9);
        }
        RawHttp.Response text = RawHttp.get(this.metricsServer.getPort(), "/metrics",
                "Accept: text/plain; version=0.0.4; charset=utf-8");
        assertThat(text.text())
            .contains("gunicorn_worker_request_duration_seconds_bucket{worker_id=\"w1\",le=\"0.1\"}");
    }

    private static Metrics.Histogram duration(int port, String path) throws Exception {
        RawHttp.Response response = RawHttp.get(port, path, "Accept: " + PROTOBUF);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().toString()).contains("application/vnd.google.protobuf");
        Map<String, Metrics.MetricFamily> families = RequestMetricsNativeTests
            .decode(new ByteArrayInputStream(response.body()));
        return families.get("gunicorn_worker_request_duration_seconds").getMetric(0).getHistogram();
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @RestController
    static class App {

        @GetMapping("/hello")
        String hello() {
            return "hello";
        }

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }

    }

}
