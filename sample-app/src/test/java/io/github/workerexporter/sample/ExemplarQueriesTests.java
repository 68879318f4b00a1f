package io.github.workerexporter.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A traced request's exemplar, as Prometheus stores it: the sample app with Spring Boot's
 * tracing (Brave, every request sampled; a test dependency), a request with a W3C
 * {@code traceparent}, and a real Prometheus started with
 * {@code --enable-feature=exemplar-storage} scraping the metrics server, asked through
 * {@code /api/v1/query_exemplars}. Skipped, with the reason, without
 * {@code /usr/bin/prometheus}.
 *
 * @author Worker Exporter
 */
class ExemplarQueriesTests {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    @TempDir
    Path temp;

    private ConfigurableApplicationContext app;

    private PrometheusServer prometheus;

    @AfterEach
    void stop() {
        if (this.prometheus != null) {
            this.prometheus.close();
        }
        if (this.app != null) {
            this.app.close();
        }
    }

    @Test
    void prometheusStoresTheTraceOfASlowRequestOnItsBucket() throws Exception {
        PrometheusServer.assumeInstalled();
        this.app = new SpringApplicationBuilder(SampleApplication.class)
            .properties("server.port=0", "server.address=127.0.0.1", "exporter.prometheus.metrics-port=0",
                    "exporter.prometheus.bind-address=127.0.0.1", "management.tracing.sampling.probability=1.0")
            .run();
        int serverPort = this.app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        int metricsPort = this.app.getEnvironment().getRequiredProperty("local.exporter.metrics-port", Integer.class);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest traced = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serverPort + "/users/42"))
            .header("traceparent", "00-" + TRACE_ID + "-b7ad6b7169203331-01")
            .build();
        assertThat(client.send(traced, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        this.prometheus = PrometheusServer.start(scrapeConfig(metricsPort), this.temp,
                List.of("--enable-feature=exemplar-storage"));
        await("the exemplar in Prometheus").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .untilAsserted(() -> assertThat(
                    this.prometheus.exemplarTraceIds("gunicorn_worker_request_duration_seconds_bucket"))
                .contains(TRACE_ID));
        assertThat(this.prometheus.exemplarTraceIds("gunicorn_worker_requests_total")).contains(TRACE_ID);
    }

    private Path scrapeConfig(int metricsPort) throws IOException {
        Map<String, Object> config = Map.of("global", Map.of("scrape_interval", "1s", "scrape_timeout", "1s"),
                "scrape_configs", List.of(Map.of("job_name", "worker-exporter", "static_configs",
                        List.of(Map.of("targets", List.of("127.0.0.1:" + metricsPort))))));
        Path file = this.temp.resolve("prometheus.yml");
        Files.writeString(file, new Yaml().dump(config));
        return file;
    }

}
