package io.github.workerexporter.metrics;

import java.time.Duration;
import java.util.List;

import io.github.workerexporter.server.MetricsServerManager;
import io.github.workerexporter.testing.RawHttp;
import io.prometheus.metrics.tracer.common.SpanContext;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exemplars of a traced request: a Spring MVC application on Tomcat with Spring Boot's
 * tracing (Micrometer Tracing over Brave, every request sampled), a request that carries
 * a W3C {@code traceparent}, and an OpenMetrics scrape of the metrics server over real
 * HTTP.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = RequestExemplarsTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "exporter.worker.id=w1",
                "exporter.prometheus.metrics-port=0", "management.tracing.sampling.probability=1.0" })
class RequestExemplarsTests {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @LocalServerPort
    private int port;

    @Autowired
    private MetricsServerManager metricsServer;

    @Autowired
    private List<SpanContext> spanContexts;

    @Test
    void theDurationBucketAndTheCounterCarryTheTraceOfTheRequest() throws Exception {
        assertThat(this.spanContexts).as("Spring Boot's span context bean").hasSize(1);
        assertThat(RawHttp.get(this.port, "/traced", "traceparent: 00-" + TRACE_ID + "-00f067aa0ba902b7-01").status())
            .isEqualTo(200);
        // The client can have the response before the filter records it (the body is
        // flushed
        // first): wait for the recording, not for the response.
        String exposition = await("the traced request recorded").atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> scrape("application/openmetrics-text; version=1.0.0"), (text) -> text.contains(TRACE_ID));
        assertThat(lines(exposition, "gunicorn_worker_request_duration_seconds_bucket{"))
            .filteredOn((line) -> line.contains("trace_id=\"" + TRACE_ID + "\""))
            .singleElement()
            .satisfies((line) -> assertThat(line).contains(seriesLabel()).contains("span_id=\""));
        assertThat(lines(exposition, "gunicorn_worker_requests_total{"))
            .anySatisfy((line) -> assertThat(line).contains("trace_id=\"" + TRACE_ID + "\""));
        assertThat(scrape("text/plain; version=0.0.4; charset=utf-8")).doesNotContain(TRACE_ID);
    }

    /**
     * A label of the series the traced request is recorded in.
     * @return the label, as the exposition writes it
     */
    String seriesLabel() {
        return "{worker_id=\"w1\",le=";
    }

    private String scrape(String accept) throws Exception {
        RawHttp.Response response = RawHttp.get(this.metricsServer.getPort(), "/metrics", "Accept: " + accept);
        assertThat(response.status()).isEqualTo(200);
        return response.text();
    }

    private static List<String> lines(String exposition, String prefix) {
        return exposition.lines().filter((line) -> line.startsWith(prefix)).toList();
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @RestController
    static class App {

        @GetMapping("/traced")
        String traced() {
            return "ok";
        }

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }

    }

}
