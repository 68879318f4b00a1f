package io.github.workerexporter.sample;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What our dashboard must be, checked without Prometheus: importable with any Prometheus
 * data source, filtered by worker, and free of the original's percentile flaw (F19):
 * buckets are summed by {@code le} (and at most the labels of a breakdown, such as
 * {@code endpoint}) before the quantile is taken.
 *
 * @author Worker Exporter
 */
class DashboardModelTests {

    private static final String DATASOURCE = "${DS_PROMETHEUS}";

    private static final Pattern WORKER_FAMILY = Pattern.compile("gunicorn_worker_\\w+(\\{[^}]*})?");

    private static final Pattern QUANTILE = Pattern.compile("histogram_quantile\\(\\s*[0-9.]+\\s*,\\s*(.*)\\)");

    private final JsonNode model = model();

    @Test
    void datasourceIsAnImportInput() {
        assertThat(this.model.path("__inputs").findValuesAsString("name")).containsExactly("DS_PROMETHEUS");
        List<JsonNode> datasources = this.model.path("panels").findValues("datasource");
        datasources.addAll(this.model.path("templating").findValues("datasource"));
        assertThat(datasources).isNotEmpty()
            .allSatisfy((datasource) -> assertThat(datasource.path("uid").asString()).isEqualTo(DATASOURCE));
    }

    @Test
    void workerVariableOffersAllWorkers() {
        assertThat(templateVariables()).singleElement().satisfies((variable) -> {
            assertThat(variable.path("name").asString()).isEqualTo("worker_id");
            assertThat(variable.path("includeAll").asBoolean()).isTrue();
            assertThat(variable.path("allValue").asString()).isEqualTo(".*");
        });
    }

    @Test
    void everyWorkerSeriesIsFilteredByTheWorkerVariable() {
        for (DashboardQuery query : queries()) {
            Matcher matcher = WORKER_FAMILY.matcher(query.expr());
            while (matcher.find()) {
                assertThat(matcher.group(1)).as("selector %s in %s", matcher.group(), query.expr())
                    .contains("worker_id=~\"$worker_id\"");
            }
        }
    }

    @Test
    void percentilesAggregateBucketsByLe() {
        List<String> quantiles = new ArrayList<>();
        for (DashboardQuery query : queries()) {
            Matcher matcher = QUANTILE.matcher(query.expr());
            while (matcher.find()) {
                quantiles.add(matcher.group(1));
            }
        }
        assertThat(quantiles).hasSize(12)
            .allSatisfy((argument) -> assertThat(argument).containsPattern("^sum by \\(le(, \\w+)*\\) \\("));
    }

    @Test
    void panelIdsAreUniqueAndPanelsFitTheGrid() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : this.model.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("id of %s", panel.path("title").asString()).isTrue();
            JsonNode grid = panel.path("gridPos");
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).isLessThanOrEqualTo(24);
        }
    }

    @Test
    void coversEveryFamilyTheDashboardPromises() {
        String all = String.join("\n", queries().stream().map(DashboardQuery::expr).toList());
        assertThat(all).contains("gunicorn_worker_requests_total", "gunicorn_worker_request_duration_seconds_bucket",
                "gunicorn_worker_request_size_bytes_bucket", "gunicorn_worker_response_size_bytes_bucket",
                "gunicorn_worker_failed_requests_total", "gunicorn_worker_error_handling_total",
                "gunicorn_worker_memory_bytes", "gunicorn_worker_cpu_percent", "gunicorn_worker_uptime_seconds",
                "gunicorn_worker_state", "gunicorn_worker_restart_total", "gunicorn_master_workers",
                "gunicorn_master_worker_restart_total", "gunicorn_worker_requests_in_flight",
                "gunicorn_worker_threads_busy", "gunicorn_worker_threads_max", "gunicorn_worker_requests_waiting",
                "gunicorn_worker_accept_queue", "gunicorn_worker_accept_queue_max", "gunicorn_worker_connections",
                "gunicorn_worker_connections_max", "gunicorn_worker_request_queue_seconds_bucket");
    }

    static List<JsonNode> templateVariables() {
        List<JsonNode> variables = new ArrayList<>();
        model().path("templating").path("list").forEach(variables::add);
        return variables;
    }

    private static List<DashboardQuery> queries() {
        return DashboardQuery.fromDashboard(DashboardQuery.DASHBOARD);
    }

    private static JsonNode model() {
        return JsonMapper.builder().build().readTree(DashboardQuery.DASHBOARD.toFile());
    }

}
