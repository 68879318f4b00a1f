package io.github.workerexporter.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

import io.github.workerexporter.sample.PrometheusServer.PromtoolResult;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every PromQL expression of the original's dashboard and README and of ours, run by a
 * real Prometheus that scrapes the real sample app through our shipped
 * {@code prometheus.yml}. Each must return data, except the original's expressions
 * documented as returning none (those must return none, so the list stays honest); and
 * the shipped alerts, loaded through {@code prometheus.yml}, evaluate on those series.
 * Needs {@code /usr/bin/prometheus} (Debian package {@code prometheus}): without it every
 * test is reported skipped with the reason.
 *
 * @author Worker Exporter
 */
class DashboardQueriesTests {

    private static final Path PROMETHEUS_CONFIG = Path.of("prometheus", "prometheus.yml");

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)");

    @TempDir
    static Path temp;

    private static ConfigurableApplicationContext app;

    private static PrometheusServer prometheus;

    @BeforeAll
    static void scrapeTheSampleAppUnderTraffic() throws IOException {
        if (!Files.isExecutable(PrometheusServer.BINARY)) {
            // Each test is then skipped with the reason (assumeInstalled), not left out.
            return;
        }
        app = new SpringApplicationBuilder(SampleApplication.class)
            .properties("server.port=0", "server.address=127.0.0.1", "exporter.prometheus.metrics-port=0",
                    "exporter.prometheus.bind-address=127.0.0.1",
                    "exporter.prometheus.multiproc-dir=" + temp.resolve("workers"),
                    "exporter.storage.flush-interval=200ms", "exporter.metrics.route-labels=true",
                    "exporter.metrics.queue-time.enabled=true")
            .run();
        int serverPort = app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        int metricsPort = app.getEnvironment().getRequiredProperty("local.exporter.metrics-port", Integer.class);
        prometheus = PrometheusServer.start(scrapeConfig(metricsPort, serverPort), temp);
        SampleTraffic traffic = new SampleTraffic(serverPort);
        prometheus.awaitScrapesAfter(Instant.now(), 2);
        for (int round = 0; round < 3; round++) {
            traffic.round();
            sleep(Duration.ofMillis(400));
            prometheus.awaitScrapesAfter(Instant.now(), 2);
        }
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("originalQueries")
    void originalQueryReturnsWhatItsListSays(DashboardQuery query) {
        PrometheusServer.assumeInstalled();
        assertResult(query);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ourQueries")
    void ourQueryReturnsData(DashboardQuery query) {
        PrometheusServer.assumeInstalled();
        assertResult(query);
    }

    @Test
    void workerVariableListsTheSampleAppsWorker() {
        PrometheusServer.assumeInstalled();
        List<JsonNode> variables = DashboardModelTests.templateVariables();
        assertThat(variables).isNotEmpty();
        for (JsonNode variable : variables) {
            Matcher matcher = LABEL_VALUES.matcher(variable.path("definition").asString());
            assertThat(matcher.matches()).as("definition of %s", variable.path("name").asString()).isTrue();
            assertThat(prometheus.labelValues(matcher.group(1), matcher.group(2))).isNotEmpty();
        }
    }

    @Test
    void actuatorJobKeepsItsOwnMetersAndLeavesTheGunicornFamiliesToTheMetricsServer() {
        PrometheusServer.assumeInstalled();
        assertThat(prometheus.query("up{job=\"worker-exporter-actuator\"} == 1")).hasSize(1);
        assertThat(prometheus.query("count({job=\"worker-exporter-actuator\", __name__=~\"jvm_.*\"})")).hasSize(1);
        assertThat(prometheus.query("count({job=\"worker-exporter-actuator\", __name__=~\"gunicorn_.*\"})")).isEmpty();
        assertThat(prometheus.query("count({job=\"worker-exporter\", __name__=~\"gunicorn_.*\"})")).hasSize(1);
    }

    @Test
    void shippedConfigPassesPromtool() throws IOException, InterruptedException {
        PrometheusServer.assumePromtool();
        PromtoolResult check = PrometheusServer.promtool("check", "config", PROMETHEUS_CONFIG.toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 1 rule files found");
    }

    @Test
    void shippedAlertsEvaluateWithoutErrorOnTheSampleAppsSeries() {
        PrometheusServer.assumeInstalled();
        await("every alert rule evaluated").atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(200))
            .untilAsserted(() -> {
                List<JsonNode> rules = new ArrayList<>();
                prometheus.ruleGroups().forEach((group) -> group.path("rules").forEach(rules::add));
                assertThat(rules).as("rules loaded from %s", PROMETHEUS_CONFIG).hasSizeGreaterThanOrEqualTo(10);
                assertThat(rules).allSatisfy((rule) -> {
                    assertThat(rule.path("health").asString())
                        .as("health of %s (%s)", rule.path("name").asString(), rule.path("lastError").asString())
                        .isEqualTo("ok");
                    assertThat(rule.path("lastEvaluation").asString())
                        .as("last evaluation of %s", rule.path("name").asString())
                        .doesNotStartWith("0001-");
                });
            });
    }

    static Stream<DashboardQuery> originalQueries() {
        return DashboardQuery.fromList("original-dashboard-queries.txt").stream();
    }

    static Stream<DashboardQuery> ourQueries() {
        return DashboardQuery.fromDashboard(DashboardQuery.DASHBOARD).stream();
    }

    private static void assertResult(DashboardQuery query) {
        List<String> values = prometheus.query(query.promql());
        if (query.expectsData()) {
            assertThat(values).as("series of %s", query.promql()).isNotEmpty();
            assertThat(values).as("values of %s", query.promql()).anyMatch((value) -> !value.equals("NaN"));
        }
        else {
            assertThat(values)
                .as("%s returns data, yet %s says: %s", query.promql(), query.source(), query.noDataReason())
                .isEmpty();
        }
    }

    /**
     * Our shipped configuration with the targets of the running sample app and a
     * one-second scrape interval.
     */
    @SuppressWarnings("unchecked")
    private static Path scrapeConfig(int metricsPort, int serverPort) throws IOException {
        Yaml yaml = new Yaml();
        Map<String, Object> config = yaml.load(Files.readString(PROMETHEUS_CONFIG));
        Map<String, Object> global = (Map<String, Object>) config.get("global");
        global.put("scrape_interval", "1s");
        global.put("scrape_timeout", "1s");
        global.put("evaluation_interval", "1s");
        Map<String, Integer> ports = Map.of("worker-exporter", metricsPort, "worker-exporter-actuator", serverPort);
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");
        assertThat(jobs).extracting((job) -> job.get("job_name")).containsExactlyInAnyOrderElementsOf(ports.keySet());
        for (Map<String, Object> job : jobs) {
            String target = "127.0.0.1:" + ports.get(job.get("job_name"));
            job.put("static_configs", List.of(Map.of("targets", List.of(target))));
        }
        List<String> ruleFiles = (List<String>) config.get("rule_files");
        config.put("rule_files",
                ruleFiles.stream()
                    .map((ruleFile) -> PROMETHEUS_CONFIG.toAbsolutePath().resolveSibling(ruleFile).toString())
                    .toList());
        Path file = temp.resolve("prometheus.yml");
        Files.writeString(file, yaml.dump(config));
        return file;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", ex);
        }
    }

}
