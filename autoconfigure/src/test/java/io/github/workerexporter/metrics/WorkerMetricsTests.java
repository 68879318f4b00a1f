package io.github.workerexporter.metrics;

import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Tests for {@link WorkerMetrics} and {@link ProcessStats}.
 *
 * @author Worker Exporter
 */
class WorkerMetricsTests {

    private final PrometheusRegistry registry = new PrometheusRegistry();

    private final WorkerLifecycle lifecycle = new WorkerLifecycle();

    private final WorkerMetrics metrics = new WorkerMetrics(this.registry, "gunicorn", "w1",
            new ProcessStats(ProcessHandle.current().info().startInstant().orElseThrow()), this.lifecycle);

    @Test
    void exposesEachGaugeFamilyOnceWithTheOriginalsHelp() throws IOException {
        String scrape = scrape(this.registry);
        assertThat(scrape)
            .containsOnlyOnce("# HELP gunicorn_worker_memory_bytes Memory usage of the worker process\n"
                    + "# TYPE gunicorn_worker_memory_bytes gauge\ngunicorn_worker_memory_bytes{worker_id=\"w1\"} ")
            .containsOnlyOnce("# HELP gunicorn_worker_cpu_percent CPU usage of the worker process\n"
                    + "# TYPE gunicorn_worker_cpu_percent gauge\ngunicorn_worker_cpu_percent{worker_id=\"w1\"} ")
            .containsOnlyOnce("# HELP gunicorn_worker_uptime_seconds Uptime of the worker process\n"
                    + "# TYPE gunicorn_worker_uptime_seconds gauge\ngunicorn_worker_uptime_seconds{worker_id=\"w1\"} ")
            .containsOnlyOnce("# HELP gunicorn_worker_state Current state of the worker (1=running, 0=stopped)\n"
                    + "# TYPE gunicorn_worker_state gauge\n")
            .doesNotContain("timestamp");
    }

    @Test
    void statesStartWithStartingAndExactlyOneIsSet() throws IOException {
        assertThat(scrape(this.registry)).contains("gunicorn_worker_state{state=\"running\",worker_id=\"w1\"} 0.0\n"
                + "gunicorn_worker_state{state=\"starting\",worker_id=\"w1\"} 1.0\n"
                + "gunicorn_worker_state{state=\"stopped\",worker_id=\"w1\"} 0.0\n"
                + "gunicorn_worker_state{state=\"stopping\",worker_id=\"w1\"} 0.0\n");
        for (WorkerState state : WorkerState.values()) {
            this.lifecycle.transition(state);
            String scrape = scrape(this.registry);
            assertThat(scrape).contains("gunicorn_worker_state{state=\"" + state.label() + "\",worker_id=\"w1\"} 1.0");
            assertThat(Pattern.compile("gunicorn_worker_state\\{.*} 1\\.0").matcher(scrape).results()).hasSize(1);
        }
    }

    @Test
    void memoryIsTheResidentSetSizeOfThisJvm() throws IOException {
        Path status = Path.of("/proc/self/status");
        assumeThat(status).isReadable();
        double exported = value(scrape(this.registry), "gunicorn_worker_memory_bytes");
        long rss = Files.readAllLines(status)
            .stream()
            .filter((line) -> line.startsWith("VmRSS:"))
            .mapToLong((line) -> Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024)
            .findFirst()
            .getAsLong();
        assertThat(exported).isPositive().isCloseTo(rss, within(rss * 0.2));
    }

    @Test
    void cpuIsMeasuredOnTheFirstScrape() throws IOException {
        double sink = 0;
        for (int i = 0; i < 20_000_000; i++) {
            sink += Math.sqrt(i);
        }
        assertThat(sink).isPositive();
        assertThat(value(scrape(this.registry), "gunicorn_worker_cpu_percent")).isPositive();
    }

    @Test
    void uptimeIsPositive() throws IOException {
        assertThat(value(scrape(this.registry), "gunicorn_worker_uptime_seconds")).isPositive();
    }

    @Test
    void gaugesAreReadAtEachScrape() throws IOException {
        double first = value(scrape(this.registry), "gunicorn_worker_uptime_seconds");
        double later = first;
        while (later == first) {
            later = value(scrape(this.registry), "gunicorn_worker_uptime_seconds");
        }
        assertThat(later).isGreaterThan(first);
    }

    static String scrape(PrometheusRegistry registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    private static double value(String scrape, String name) {
        Matcher matcher = Pattern.compile("(?m)^" + name + "\\{worker_id=\"w1\"} (\\S+)$").matcher(scrape);
        assertThat(matcher.find()).as(name + " in\n" + scrape).isTrue();
        return Double.parseDouble(matcher.group(1));
    }

}
