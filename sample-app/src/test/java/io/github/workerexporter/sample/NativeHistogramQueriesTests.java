package io.github.workerexporter.sample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Native histograms merged across workers, as Prometheus computes a quantile of them: two
 * workers of the sample app on one shared directory with
 * {@code exporter.metrics.histograms=native}, one serving requests of 100 ms and the
 * other of 300 ms, and a real Prometheus started with
 * {@code --enable-feature=native-histograms} scraping the first worker's metrics server
 * (protobuf, the merged view of both): per worker, Prometheus sums the two series; in the
 * fleet view, the exporter has summed them into one. Either way the quantiles must fall
 * within the schema's error of the latencies served. Skipped, with the reason, without
 * {@code /usr/bin/prometheus}.
 *
 * @author Worker Exporter
 */
class NativeHistogramQueriesTests {

    /**
     * The relative width of a bucket at the default schema
     * ({@code exporter.metrics.native-histogram.initial-schema=5}): 2^(1/32) - 1, about
     * 2.2 %. A quantile is interpolated within its bucket, so it is within this of the
     * truth.
     */
    private static final double SCHEMA_ERROR = Math.pow(2, 1.0 / 32) - 1;

    private static final String DURATION = "gunicorn_worker_request_duration_seconds";

    @TempDir
    Path temp;

    private ConfigurableApplicationContext first;

    private ConfigurableApplicationContext second;

    private PrometheusServer prometheus;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stop() {
        if (this.prometheus != null) {
            this.prometheus.close();
        }
        if (this.second != null) {
            this.second.close();
        }
        if (this.first != null) {
            this.first.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "per-worker", "fleet" })
    void prometheusComputesQuantilesOfTheMergedNativeHistograms(String view) throws Exception {
        PrometheusServer.assumeInstalled();
        this.first = worker("w1", view);
        this.second = worker("w2", view);
        int metricsPort = this.first.getEnvironment().getRequiredProperty("local.exporter.metrics-port", Integer.class);
        this.prometheus = PrometheusServer.start(scrapeConfig(metricsPort), this.temp,
                List.of("--enable-feature=native-histograms"));
        this.prometheus.awaitScrapesAfter(Instant.now(), 1);
        for (int i = 0; i < 6; i++) {
            get(this.first, "/slow?ms=100");
        }
        for (int i = 0; i < 4; i++) {
            get(this.second, "/slow?ms=300");
        }
        // Both workers flushed and the merged view scraped: the ten requests are in.
        await("the ten requests in Prometheus").atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .untilAsserted(() -> assertThat(this.prometheus.query("histogram_count(sum(" + DURATION + "))"))
                .containsExactly("10"));
        assertThat(this.prometheus.query("count(" + DURATION + ")")).containsExactly(view.equals("fleet") ? "1" : "2");
        String rate = "sum(rate(" + DURATION + "[1m]))";
        double median = quantile(0.3, rate);
        double slow = quantile(0.9, rate);
        assertThat(median).isBetween(0.100 / (1 + SCHEMA_ERROR), 0.150 * (1 + SCHEMA_ERROR));
        assertThat(slow).isBetween(0.300 / (1 + SCHEMA_ERROR), 0.360 * (1 + SCHEMA_ERROR));
    }

    private double quantile(double q, String rate) {
        List<String> values = this.prometheus.query("histogram_quantile(" + q + ", " + rate + ")");
        assertThat(values).as("histogram_quantile(%s) of the native histograms", q).hasSize(1);
        return Double.parseDouble(values.get(0));
    }

    private ConfigurableApplicationContext worker(String id, String view) {
        return new SpringApplicationBuilder(SampleApplication.class)
            .properties("server.port=0", "server.address=127.0.0.1", "exporter.prometheus.metrics-port=0",
                    "exporter.prometheus.bind-address=127.0.0.1", "exporter.worker.id=" + id,
                    "exporter.prometheus.multiproc-dir=" + this.temp.resolve("workers"),
                    "exporter.storage.view=" + view, "exporter.metrics.histograms=native")
            .run();
    }

    private void get(ConfigurableApplicationContext worker, String target) throws Exception {
        int port = worker.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + target)).build();
        assertThat(this.client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
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
