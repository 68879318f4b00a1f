package io.github.workerexporter.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One PromQL expression of a dashboard, and whether it must return data.
 *
 * @param source where the expression comes from
 * @param expr the expression as written, Grafana variables included
 * @param noDataReason why it cannot return data, or {@code null} if it must
 * @author Worker Exporter
 */
record DashboardQuery(String source, String expr, String noDataReason) {

    private static final String NO_DATA = "#! no data:";

    /** Our dashboard. */
    static final Path DASHBOARD = Path.of("dashboards", "worker-exporter.json");

    /**
     * The expression Prometheus runs: Grafana's variables replaced as Grafana would for a
     * one-minute range and "All" workers.
     * @return the expression to run
     */
    String promql() {
        return this.expr.replace("$__rate_interval", "1m")
            .replace("$__interval", "1m")
            .replace("$__range", "1m")
            .replace("$interval", "1m")
            .replace("$worker_id", ".*");
    }

    boolean expectsData() {
        return this.noDataReason == null;
    }

    @Override
    public String toString() {
        return this.expr;
    }

    /**
     * Every {@code expr} of a Grafana dashboard JSON model.
     * @param dashboard the dashboard file
     * @return its expressions, in panel order
     */
    static List<DashboardQuery> fromDashboard(Path dashboard) {
        JsonNode model = JsonMapper.builder().build().readTree(dashboard.toFile());
        return model.path("panels")
            .findValues("expr")
            .stream()
            .map((expr) -> new DashboardQuery(dashboard.toString(), expr.asString(), null))
            .toList();
    }

    /**
     * The expressions of a query list on the test class path: one a line, {@code #}
     * comments, a {@code #! no data: reason} line before an expression that must return
     * nothing.
     * @param resource the resource name
     * @return its expressions
     */
    static List<DashboardQuery> fromList(String resource) {
        List<DashboardQuery> queries = new ArrayList<>();
        String noData = null;
        for (String line : read(resource).lines().map(String::strip).toList()) {
            if (line.startsWith(NO_DATA)) {
                noData = line.substring(NO_DATA.length()).strip();
            }
            else if (!line.isEmpty() && !line.startsWith("#")) {
                queries.add(new DashboardQuery(resource, line, noData));
                noData = null;
            }
        }
        return queries;
    }

    private static String read(String resource) {
        try (InputStream in = DashboardQuery.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("No " + resource + " on the test class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
