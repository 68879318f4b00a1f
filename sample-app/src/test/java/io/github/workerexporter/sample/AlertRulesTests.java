package io.github.workerexporter.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import io.github.workerexporter.sample.PrometheusServer.PromtoolResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped alerts ({@code prometheus/alerts.yml}): promtool accepts every rule and
 * passes every unit test of {@code prometheus/alerts-tests.yml}, which holds, for each
 * alert, input series that fire it and input series that do not. The promtool tests are
 * skipped, with the reason, without {@code /usr/bin/promtool} (Debian package
 * {@code prometheus}).
 *
 * @author Worker Exporter
 */
class AlertRulesTests {

    private static final Path DIRECTORY = Path.of("prometheus");

    private static final Path RULES = DIRECTORY.resolve("alerts.yml");

    private static final Path TESTS = DIRECTORY.resolve("alerts-tests.yml");

    @Test
    void promtoolAcceptsEveryRule() throws Exception {
        PrometheusServer.assumePromtool();
        PromtoolResult check = PrometheusServer.promtool("check", "rules", RULES.toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + alertNames().size() + " rules found");
    }

    @Test
    void everyAlertPassesItsUnitTests() throws Exception {
        PrometheusServer.assumePromtool();
        PromtoolResult test = PrometheusServer.promtool("test", "rules", TESTS.toString());
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertIsTestedFiringAndNotFiring() {
        Set<String> firing = new LinkedHashSet<>();
        Set<String> silent = new LinkedHashSet<>();
        Map<String, Object> tests = load(TESTS);
        assertThat(tests.get("rule_files")).isEqualTo(List.of(RULES.getFileName().toString()));
        for (Map<String, Object> test : list(tests, "tests")) {
            for (Map<String, Object> expectation : list(test, "alert_rule_test")) {
                String alert = (String) expectation.get("alertname");
                (list(expectation, "exp_alerts").isEmpty() ? silent : firing).add(alert);
            }
        }
        assertThat(firing).as("alerts tested firing").containsExactlyInAnyOrderElementsOf(alertNames());
        assertThat(silent).as("alerts tested not firing").containsExactlyInAnyOrderElementsOf(alertNames());
    }

    @Test
    void everyAlertHasASeverityASummaryAndADescription() {
        for (Map<String, Object> rule : rules()) {
            assertThat(rule).as("rule %s", rule.get("alert")).containsKeys("alert", "expr");
            assertThat(map(rule, "labels")).as("labels of %s", rule.get("alert"))
                .hasEntrySatisfying("severity", (severity) -> assertThat(severity).isIn("warning", "critical"));
            assertThat(map(rule, "annotations")).as("annotations of %s", rule.get("alert"))
                .containsKeys("summary", "description");
        }
    }

    private static List<String> alertNames() {
        List<String> names = rules().stream().map((rule) -> (String) rule.get("alert")).toList();
        assertThat(names).doesNotHaveDuplicates().isNotEmpty();
        return names;
    }

    private static List<Map<String, Object>> rules() {
        List<Map<String, Object>> rules = new ArrayList<>();
        list(load(RULES), "groups").forEach((group) -> rules.addAll(list(group, "rules")));
        return rules;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(Path file) {
        try {
            return (Map<String, Object>) new Yaml().load(Files.readString(file));
        }
        catch (IOException ex) {
            throw new IllegalStateException("Cannot read " + file, ex);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(List.class);
        return (List<Map<String, Object>>) value;
    }

}
