package io.github.workerexporter.reliability;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.workerexporter.reliability.SecurityHttp.Answer;
import io.github.workerexporter.server.MetricsServerManager;
import io.github.workerexporter.server.MetricsServerSettings;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metrics port serves metrics and nothing else. The metrics path (and, as the JDK's
 * HTTP server matches contexts by prefix, paths below it) answers with the exposition;
 * client_java's {@code /-/healthy} answers {@code Exporter is healthy.} for liveness
 * probes; every other path, whether {@code /}, {@code /env} or {@code /../etc/passwd}, is
 * a bare 404 (client_java's default answered all of them with a 200 HTML page). A
 * collector that throws during a scrape gives a 500 of one fixed line, without the
 * exception, its message or a stack trace (client_java's default wrote the stack trace
 * into the body); the log gets the failure once at WARN.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class SecurityMetricsEndpointTests {

    private static final String COLLECTOR_SECRET = "collector-secret-" + System.nanoTime();

    private final AtomicReference<@Nullable RuntimeException> collectorFailure = new AtomicReference<>();

    private MetricsServerManager manager;

    private int port;

    @BeforeEach
    void startServer() {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("endpoint_probe").help("A counter").register(registry).inc();
        registry.register(new MultiCollector() {

            @Override
            public MetricSnapshots collect() {
                RuntimeException failure = SecurityMetricsEndpointTests.this.collectorFailure.get();
                if (failure != null) {
                    throw failure;
                }
                return MetricSnapshots.of();
            }

        });
        this.manager = new MetricsServerManager(registry,
                new MetricsServerSettings("127.0.0.1", 0, "/metrics", 1, Duration.ZERO, true, null, null));
        assertThat(this.manager.start()).isTrue();
        this.port = this.manager.getPort();
    }

    @AfterEach
    void stopServer() {
        this.manager.stop();
    }

    @Test
    void onlyTheMetricsPathAnswersWithMetrics() throws Exception {
        Answer metrics = SecurityHttp.send(this.port, "GET", "/metrics", null);
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("endpoint_probe_total 1.0");
        for (String path : new String[] { "/", "/env", "/actuator/env", "/../etc/passwd", "/%2e%2e/etc/passwd",
                "/..%2fetc%2fpasswd", "/favicon.ico", "/index.html", "/-/ready", "/debug/pprof",
                "//metrics/../../etc/passwd", "/METRICS" }) {
            Answer answer = SecurityHttp.send(this.port, "GET", path, null);
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.body()).as(path).isEqualTo("Not Found\n");
        }
        Answer head = SecurityHttp.send(this.port, "HEAD", "/", null);
        assertThat(head.status()).isEqualTo(404);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void answersLivenessProbesOnTheHealthyPathWithoutDetail() throws Exception {
        Answer healthy = SecurityHttp.send(this.port, "GET", "/-/healthy", null);
        assertThat(healthy.status()).isEqualTo(200);
        assertThat(healthy.body()).isEqualTo("Exporter is healthy.\n");
    }

    @Test
    void aDebugParameterChangesOnlyTheFormatAndItsErrorShowsNoStackTrace() throws Exception {
        Answer text = SecurityHttp.send(this.port, "GET", "/metrics?debug=text", null);
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.body()).contains("endpoint_probe_total 1.0");
        Answer unsupported = SecurityHttp.send(this.port, "GET", "/metrics?debug=true", null);
        assertThat(unsupported.status()).isEqualTo(500);
        assertThat(unsupported.body()).doesNotContain("\tat ").doesNotContain("Exception").hasLineCount(1);
    }

    @Test
    void aCollectorThatFailsGivesA500WithoutItsStackTraceAndIsLoggedOnce(CapturedOutput output) throws Exception {
        this.collectorFailure.set(new IllegalStateException("cannot read " + COLLECTOR_SECRET));
        Answer failed = SecurityHttp.send(this.port, "GET", "/metrics", null);
        assertThat(failed.status()).isEqualTo(500);
        assertThat(failed.body())
            .isEqualTo("An Exception occurred while scraping metrics: "
                    + "The metrics could not be collected; the application's log has the cause.\n")
            .doesNotContain(COLLECTOR_SECRET)
            .doesNotContain("IllegalStateException")
            .doesNotContain("\tat ");
        assertThat(SecurityHttp.send(this.port, "GET", "/metrics?name[]=endpoint_probe_total", null).status())
            .isEqualTo(500);
        assertThat(output.getOut()).contains("IllegalStateException: cannot read " + COLLECTOR_SECRET)
            .containsOnlyOnce("WARN")
            .contains("Scrape of the metrics server failed");
        this.collectorFailure.set(null);
        Answer recovered = SecurityHttp.send(this.port, "GET", "/metrics", null);
        assertThat(recovered.status()).isEqualTo(200);
        assertThat(recovered.body()).contains("endpoint_probe_total 1.0");
        assertThat(output.getOut()).contains("Scrape of the metrics server recovered");
    }

}
