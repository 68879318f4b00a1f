package io.github.workerexporter.sample;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real Prometheus server on a free loopback port, storing its data under a given
 * directory, queried through its HTTP API.
 *
 * @author Worker Exporter
 */
final class PrometheusServer implements AutoCloseable {

    /** Where the Debian package {@code prometheus} installs the server. */
    static final Path BINARY = Path.of("/usr/bin/prometheus");

    /** Where the Debian package {@code prometheus} installs promtool. */
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");

    private static final JsonMapper json = JsonMapper.builder().build();

    /**
     * Skip the calling test, with the reason, unless the Prometheus server is installed.
     */
    static void assumeInstalled() {
        assumeTrue(Files.isExecutable(BINARY),
                () -> "Prometheus is not installed at " + BINARY + " (apt-get install prometheus)");
    }

    /**
     * Skip the calling test, with the reason, unless promtool is installed.
     */
    static void assumePromtool() {
        assumeTrue(Files.isExecutable(PROMTOOL),
                () -> "promtool is not installed at " + PROMTOOL + " (apt-get install prometheus)");
    }

    /**
     * Run promtool and wait for it.
     * @param arguments its arguments
     * @return what it printed, its output and errors together, and its exit code
     * @throws IOException if it cannot be started
     * @throws InterruptedException if interrupted while waiting for it
     */
    static PromtoolResult promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(PROMTOOL.toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("promtool " + arguments[0] + " did not end: " + output);
        }
        return new PromtoolResult(process.exitValue(), output);
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;

    private final URI base;

    private PrometheusServer(Process process, int port) {
        this.process = process;
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Start Prometheus with the given configuration and wait until it is ready.
     * @param config the configuration file
     * @param directory a directory for its data and its log
     * @return the running server
     * @throws IOException if it cannot be started
     */
    static PrometheusServer start(Path config, Path directory) throws IOException {
        return start(config, directory, List.of());
    }

    /**
     * Start Prometheus with the given configuration and more flags, and wait until it is
     * ready.
     * @param config the configuration file
     * @param directory a directory for its data and its log
     * @param flags more flags, such as {@code --enable-feature=exemplar-storage}
     * @return the running server
     * @throws IOException if it cannot be started
     */
    static PrometheusServer start(Path config, Path directory, List<String> flags) throws IOException {
        int port = freePort();
        Path log = directory.resolve("prometheus.log");
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + Files.createDirectories(directory.resolve("data")),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"));
        command.addAll(flags);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, port);
        try {
            await("Prometheus ready on port " + port).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> {
                    assertThat(process.isAlive()).as("Prometheus exited, see %s", log).isTrue();
                    return server.get("/-/ready").statusCode() == 200;
                });
        }
        catch (RuntimeException | Error ex) {
            server.close();
            throw ex;
        }
        return server;
    }

    /**
     * Wait until every active target is up and was scraped after the given instant.
     * @param after the instant each target's last scrape must follow
     * @param targets how many targets there must be
     */
    void awaitScrapesAfter(Instant after, int targets) {
        await("scrapes after " + after).atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(100))
            .untilAsserted(() -> {
                JsonNode active = api("/api/v1/targets?state=active").path("activeTargets");
                assertThat(active.size()).as("active targets").isEqualTo(targets);
                for (JsonNode target : active) {
                    assertThat(target.path("health").asString())
                        .as("health of %s (%s)", target.path("scrapeUrl").asString(),
                                target.path("lastError").asString())
                        .isEqualTo("up");
                    assertThat(OffsetDateTime.parse(target.path("lastScrape").asString()).toInstant()).isAfter(after);
                }
            });
    }

    /**
     * The rule groups Prometheus loaded, as its rules API lists them.
     * @return the groups, each with its rules, their health and last evaluation
     */
    JsonNode ruleGroups() {
        return api("/api/v1/rules").path("groups");
    }

    /**
     * Run an instant query.
     * @param promql the expression
     * @return the value of each series in the result, as Prometheus prints it
     */
    List<String> query(String promql) {
        JsonNode data = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(data.path("resultType").asString()).as("result type of %s", promql).isEqualTo("vector");
        List<String> values = new ArrayList<>();
        data.path("result").forEach((series) -> values.add(series.path("value").path(1).asString()));
        return values;
    }

    /**
     * The values of a label over the series that match a selector, as Grafana's
     * {@code label_values(selector, label)} asks for them.
     * @param selector the series selector
     * @param label the label name
     * @return the values
     */
    /**
     * The trace ids of the exemplars of the series a selector selects, over the last
     * hour.
     * @param selector the series selector
     * @return the {@code trace_id} of each exemplar
     */
    List<String> exemplarTraceIds(String selector) {
        long now = Instant.now().getEpochSecond();
        JsonNode data = api("/api/v1/query_exemplars?query=" + URLEncoder.encode(selector, StandardCharsets.UTF_8)
                + "&start=" + (now - 3600) + "&end=" + (now + 60));
        List<String> traceIds = new ArrayList<>();
        for (JsonNode series : data) {
            for (JsonNode exemplar : series.path("exemplars")) {
                traceIds.add(exemplar.path("labels").path("trace_id").asText());
            }
        }
        return traceIds;
    }

    List<String> labelValues(String selector, String label) {
        JsonNode data = api(
                "/api/v1/label/" + label + "/values?match[]=" + URLEncoder.encode(selector, StandardCharsets.UTF_8));
        List<String> values = new ArrayList<>();
        data.forEach((value) -> values.add(value.asString()));
        return values;
    }

    private JsonNode api(String pathAndQuery) {
        HttpResponse<String> response = get(pathAndQuery);
        JsonNode body = json.readTree(response.body());
        assertThat(body.path("status").asString()).as("%s: %s", pathAndQuery, body.path("error").asString())
            .isEqualTo("success");
        return body.path("data");
    }

    private HttpResponse<String> get(String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(this.base.resolve(pathAndQuery))
            .timeout(Duration.ofSeconds(5))
            .build();
        try {
            return this.http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new IllegalStateException("GET " + pathAndQuery + " failed", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", ex);
        }
    }

    @Override
    public void close() {
        this.process.destroy();
        try {
            if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
                this.process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            this.process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * What a run of promtool printed and how it ended.
     *
     * @param exitCode its exit code
     * @param output its output and errors
     */
    record PromtoolResult(int exitCode, String output) {

    }

}
