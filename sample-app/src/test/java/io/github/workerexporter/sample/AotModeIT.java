package io.github.workerexporter.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app after Spring's ahead-of-time processing (the build's {@code process-aot}
 * step, as a native image build runs it): the repackaged jar started with
 * {@code -Dspring.aot.enabled=true} in its own JVM, so the exporter's beans come from the
 * generated code and not from the auto-configuration classes, and the native-image
 * metadata the processing wrote keeps what the exporter loads reflectively. A native
 * image itself needs GraalVM, which this build does not have; this is everything short of
 * it.
 *
 * @author Worker Exporter
 */
class AotModeIT {

    private static final Path JAR = Path.of(System.getProperty("sampleJar", "target/missing.jar"));

    private static final Path AOT_RESOURCES = Path.of("target", "spring-aot", "main", "resources", "META-INF",
            "native-image");

    @TempDir
    static Path temp;

    private static Process app;

    private static Path log;

    private static int serverPort;

    private static int metricsPort;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void startTheAotProcessedJar() throws Exception {
        assertThat(JAR).as("the repackaged sample app (failsafe runs after package)").isRegularFile();
        serverPort = freePort();
        metricsPort = freePort();
        log = temp.resolve("app.log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        app = new ProcessBuilder(java.toString(), "-Xmx256m", "-Dspring.aot.enabled=true", "-jar", JAR.toString(),
                "--server.address=127.0.0.1", "--server.port=" + serverPort,
                "--exporter.prometheus.bind-address=127.0.0.1", "--exporter.prometheus.metrics-port=" + metricsPort)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!Files.readString(log).contains("Started SampleApplication")) {
            assertThat(app.isAlive()).as("the app exited: %s", Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("the app did not start: %s", Files.readString(log)).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (app != null) {
            app.destroy();
            if (!app.waitFor(30, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
    }

    @Test
    void runsFromTheGeneratedCode() throws IOException {
        assertThat(Files.readString(log)).contains("Starting AOT-processed SampleApplication");
    }

    @Test
    void recordsRequestsAndServesThemOnTheMetricsPort() throws Exception {
        String before = scrape();
        assertThat(get(serverPort, "/users/7").statusCode()).isEqualTo(200);
        assertThat(get(serverPort, "/orders/not-a-number").statusCode()).isEqualTo(400);
        String after = scrape();
        assertThat(count(after, "gunicorn_worker_requests_total{"))
            .isGreaterThanOrEqualTo(count(before, "gunicorn_worker_requests_total{") + 2);
        assertThat(after).contains("gunicorn_worker_request_duration_seconds_bucket{")
            .contains("gunicorn_worker_uptime_seconds")
            .containsPattern("gunicorn_worker_error_handling_total\\{[^}]*endpoint=\"/orders/\\{id\\}\"");
    }

    @Test
    void servesTheExporterEndpoint() throws Exception {
        HttpResponse<String> response = get(serverPort, "/actuator/exporter");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"storage\"")
            .contains("\"exporter.prometheus.metrics-port\":" + metricsPort);
    }

    @Test
    void nativeImageMetadataKeepsWhatTheExporterLoadsReflectively() throws IOException {
        List<Path> files;
        try (Stream<Path> found = Files.walk(AOT_RESOURCES)) {
            files = found.filter((path) -> path.endsWith("reachability-metadata.json")).toList();
        }
        assertThat(files).hasSize(1);
        JsonNode metadata = JsonMapper.builder().build().readTree(files.get(0).toFile());
        List<String> types = new ArrayList<>();
        metadata.get("reflection")
            .forEach((entry) -> types.add(entry.get("type").isString() ? entry.get("type").asString() : ""));
        assertThat(types).contains("io.github.workerexporter.autoconfigure.ExporterProperties",
                "io.github.workerexporter.autoconfigure.ExporterProperties$Redis",
                "io.github.workerexporter.autoconfigure.ExporterEnvironmentPostProcessor",
                "io.github.workerexporter.autoconfigure.ExporterCommandLineRunListener",
                "io.github.workerexporter.autoconfigure.InvalidExporterPropertyFailureAnalyzer",
                "io.github.workerexporter.autoconfigure.MetricsServerPortInUseFailureAnalyzer");
        assertThat(metadata.get("resources").toString()).contains("prometheus.properties");
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = get(metricsPort, "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return this.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static double count(String exposition, String prefix) {
        return exposition.lines()
            .filter((line) -> line.startsWith(prefix))
            .mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .sum();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

}
