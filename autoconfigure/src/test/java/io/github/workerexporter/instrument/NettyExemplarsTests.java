package io.github.workerexporter.instrument;

import java.time.Duration;
import java.util.List;

import io.github.workerexporter.server.MetricsServerManager;
import io.github.workerexporter.testing.RawHttp;
import io.prometheus.metrics.tracer.common.SpanContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exemplars of a traced WebFlux exchange on Reactor Netty, with Spring Boot's tracing
 * (Micrometer Tracing over Brave, every request sampled) and Reactor's automatic context
 * propagation as {@code spring.reactor.context-propagation=auto} turns it on: the current
 * span lives in the Reactor context, not in a thread local, when the filter records. A
 * request that carries a W3C {@code traceparent}, answered later on another thread, and
 * an OpenMetrics scrape of the metrics server over real HTTP.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = NettyExemplarsTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "exporter.worker.id=w1",
                "exporter.prometheus.metrics-port=0", "management.tracing.sampling.probability=1.0",
                "spring.reactor.context-propagation=auto" })
class NettyExemplarsTests {

    @LocalServerPort
    private int port;

    @Autowired
    private MetricsServerManager metricsServer;

    @Autowired
    private List<SpanContext> spanContexts;

    @AfterAll
    static void stopContextPropagation() {
        // Spring Boot turned it on for the whole JVM.
        Hooks.disableAutomaticContextPropagation();
    }

    /**
     * One traced request per application: the sampler keeps a bucket's exemplar for 7 s,
     * and two requests can land in one bucket.
     */
    @Test
    void theDurationBucketAndTheCounterCarryTheTraceOfTheExchange() throws Exception {
        assertTraced(path(), "4bf92f3577b34da6a3ce929d0e0e4736");
    }

    /**
     * The path of the traced request.
     * @return the path
     */
    String path() {
        return "/traced-later";
    }

    private void assertTraced(String path, String traceId) throws Exception {
        assertThat(this.spanContexts).as("Spring Boot's span context bean").hasSize(1);
        assertThat(RawHttp.get(this.port, path, "traceparent: 00-" + traceId + "-00f067aa0ba902b7-01").status())
            .isEqualTo(200);
        await("an exemplar of trace " + traceId).atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> scrape("application/openmetrics-text; version=1.0.0").contains(traceId));
        String exposition = scrape("application/openmetrics-text; version=1.0.0");
        assertThat(lines(exposition, "gunicorn_worker_request_duration_seconds_bucket{"))
            .filteredOn((line) -> line.contains("trace_id=\"" + traceId + "\""))
            .singleElement()
            .satisfies((line) -> assertThat(line).contains("span_id=\""));
        assertThat(lines(exposition, "gunicorn_worker_requests_total{"))
            .anySatisfy((line) -> assertThat(line).contains("trace_id=\"" + traceId + "\""));
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
        Mono<String> traced() {
            return Mono.just("ok");
        }

        @GetMapping("/traced-later")
        Mono<String> tracedLater() {
            return Mono.delay(Duration.ofMillis(20)).map((tick) -> "ok");
        }

        @Bean
        NettyReactiveWebServerFactory netty() {
            return new NettyReactiveWebServerFactory();
        }

    }

}
