package io.github.workerexporter.e2e;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.json.JsonMapper;

import io.github.workerexporter.testing.LoopbackHttp.Answer;

import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.storage.redis.RedisServerExtension;
import io.github.workerexporter.storage.redis.RedisServerSupport;

import static io.github.workerexporter.e2e.Workers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restarts of one worker id with real worker JVMs ({@link E2eWorker}) and real signals
 * ({@code kill -TERM}, {@code -INT}, {@code -HUP}, {@code -9}), over a shared directory
 * and over a real Redis server: each stop and restart counts exactly one restart in
 * {@code gunicorn_master_worker_restart_total} and in
 * {@code gunicorn_master_worker_restart_count_total}, with the reason the previous life
 * ended, and no other reason moves. An {@link OutOfMemoryError} that escaped a request or
 * ended a thread makes the reason {@code oom}, even when a TERM stops the JVM after it. A
 * life that followed a {@code crash} or {@code oom} serves what its previous life last
 * reported, in the merged view and in {@code /actuator/exporter}; one that followed a
 * clean stop serves none of it.
 *
 * @author Worker Exporter
 */
class WorkerRestartsTests {

    /** The reasons a life can end with. */
    static final List<String> REASONS = List.of("term", "int", "hup", "error", "crash", "oom");

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.started();

    @TempDir
    Path dir;

    /** Which store the lives share. */
    enum Store {

        /** A shared directory. */
        FILE,

        /** A real Redis server. */
        REDIS

    }

    @ParameterizedTest
    @EnumSource(Store.class)
    void eachStopByASignalAKillOrAnOutOfMemoryErrorIsCountedOnceWhenTheWorkerComesBack(Store store) {
        Map<String, Integer> expected = new LinkedHashMap<>();
        REASONS.forEach((reason) -> expected.put(reason, 0));
        try (Workers jvms = new Workers(this.dir.resolve("logs"),
                arguments(store, this.dir, redis.server()).toArray(String[]::new))) {
            Worker life = jvms.start("r1").get(0);
            awaitRestarts(jvms, life, "r1", expected);
            for (Stop stop : List.of(new Stop("TERM", 143, "term"), new Stop("INT", 130, "int"),
                    new Stop("HUP", 129, "hup"), new Stop("KILL", 137, "crash"))) {
                assertThat(jvms.stop(life, stop.signal())).as("exit code after SIG%s", stop.signal())
                    .isEqualTo(stop.exitCode());
                expected.merge(stop.reason(), 1, Integer::sum);
                life = jvms.start("r1").get(0);
                assertCrashDiagnostics(jvms, life, awaitRestarts(jvms, life, "r1", expected), stop.reason());
            }
            for (String path : List.of("/oom", "/oom-thread")) {
                assertThat(jvms.get(life, path).status()).as(path).isEqualTo((path.equals("/oom")) ? 500 : 200);
                assertThat(jvms.stop(life, "TERM")).isEqualTo(143);
                expected.merge("oom", 1, Integer::sum);
                life = jvms.start("r1").get(0);
                assertCrashDiagnostics(jvms, life, awaitRestarts(jvms, life, "r1", expected), "oom");
            }
        }
    }

    /**
     * Scrape a life until its merged view counts as many restarts as expected, then check
     * each reason's count.
     * @param jvms the launcher
     * @param life the current life
     * @param workerId its worker id
     * @param expected the restarts by reason
     * @return the exposition
     */
    static RequestExposition awaitRestarts(Workers jvms, Worker life, String workerId, Map<String, Integer> expected) {
        int total = expected.values().stream().mapToInt(Integer::intValue).sum();
        RequestExposition exposition = jvms.awaitScrape(life, DEADLINE,
                (scraped) -> scraped.value("gunicorn_master_workers{state=\"alive\"}") == 1
                        && restarts(scraped) >= total);
        Map<String, Double> master = new LinkedHashMap<>();
        Map<String, Double> byWorker = new LinkedHashMap<>();
        for (String reason : REASONS) {
            master.put(reason, value(exposition, "gunicorn_master_worker_restart_total{reason=\"" + reason + "\"}"));
            byWorker.put(reason,
                    exposition.series("gunicorn_master_worker_restart_count_total")
                        .stream()
                        .filter((series) -> series.contains("reason=\"" + reason + "\"")
                                && series.contains("worker_id=\"" + workerId + "\""))
                        .mapToDouble(exposition::value)
                        .sum());
        }
        Map<String, Double> wanted = new LinkedHashMap<>();
        expected.forEach((reason, count) -> wanted.put(reason, (double) count));
        assertThat(master).as("master restarts by reason\n%s", exposition.text()).isEqualTo(wanted);
        assertThat(byWorker).as("restarts of %s by reason\n%s", workerId, exposition.text()).isEqualTo(wanted);
        return exposition;
    }

    /**
     * After a restart whose previous life crashed (or ran out of memory), the merged view
     * and the {@code exporter} endpoint keep what that life last reported, the same
     * values; after a clean stop neither has any of it.
     */
    @SuppressWarnings("unchecked")
    private static void assertCrashDiagnostics(Workers jvms, Worker life, RequestExposition exposition,
            String previousLifeEnded) {
        List<String> crashed = exposition.series("gunicorn_master_crashed_worker_uptime_seconds");
        Answer answer = jvms.get(life, "/actuator/exporter");
        assertThat(answer.status()).as("/actuator/exporter\n%s", answer.body()).isEqualTo(200);
        Map<String, Object> storage = (Map<String, Object>) JsonMapper.shared()
            .readValue(answer.body(), Map.class)
            .get("storage");
        List<Map<String, Object>> workers = (List<Map<String, Object>>) storage.get("workers");
        assertThat(workers).as("stored workers\n%s", answer.body()).hasSize(1);
        Map<String, Object> worker = workers.get(0);
        assertThat(worker).containsEntry("id", "r1").containsEntry("status", "alive");
        if (previousLifeEnded.equals("crash") || previousLifeEnded.equals("oom")) {
            assertThat(crashed).as("crash diagnostics\n%s", exposition.text())
                .containsExactly("gunicorn_master_crashed_worker_uptime_seconds{reason=\"" + previousLifeEnded
                        + "\",worker_id=\"r1\"}");
            double uptime = exposition.value(crashed.get(0));
            assertThat(uptime).isPositive();
            assertThat(exposition.series("gunicorn_master_crashed_worker_memory_bytes")).hasSize(1);
            Map<String, Object> previous = (Map<String, Object>) worker.get("crashedPreviousLife");
            assertThat(previous).as("crashed previous life in the endpoint\n%s", answer.body())
                .containsEntry("reason", previousLifeEnded);
            Map<String, Object> diagnostics = (Map<String, Object>) previous.get("diagnostics");
            assertThat(((Number) diagnostics.get("uptimeSeconds")).doubleValue()).isEqualTo(uptime);
            assertThat(((Number) diagnostics.get("memoryBytes")).doubleValue())
                .isEqualTo(exposition.value(exposition.series("gunicorn_master_crashed_worker_memory_bytes").get(0)));
            assertThat(((Number) diagnostics.get("heapUsedBytes")).doubleValue()).isPositive();
            assertThat(Instant.parse((String) diagnostics.get("lastSeen")))
                .isBefore(Instant.parse((String) worker.get("startTime")).plusSeconds(1));
        }
        else {
            assertThat(crashed).as("crash diagnostics after a clean stop\n%s", exposition.text()).isEmpty();
            assertThat(worker).as("stored worker after a clean stop\n%s", answer.body())
                .doesNotContainKey("crashedPreviousLife");
        }
    }

    private static double restarts(RequestExposition exposition) {
        return REASONS.stream()
            .mapToDouble(
                    (reason) -> value(exposition, "gunicorn_master_worker_restart_total{reason=\"" + reason + "\"}"))
            .sum();
    }

    private static double value(RequestExposition exposition, String key) {
        return exposition.value(key);
    }

    static List<String> arguments(Store store, Path dir, RedisServerSupport redis) {
        List<String> arguments = new ArrayList<>(List.of("--exporter.storage.flush-interval=100ms",
                "--management.endpoints.web.exposure.include=prometheus,exporter",
                "--exporter.storage.heartbeat-timeout=2s", "--exporter.prometheus.metrics-port=0"));
        if (store == Store.FILE) {
            arguments.add("--exporter.prometheus.multiproc-dir=" + dir.resolve("multiproc"));
        }
        else {
            arguments.addAll(List.of("--exporter.redis.enabled=true", "--spring.data.redis.host=" + redis.host(),
                    "--spring.data.redis.port=" + redis.port(),
                    "--exporter.redis.key-prefix=restarts-" + dir.getFileName()));
        }
        return arguments;
    }

    /**
     * One way to stop a life.
     *
     * @param signal the signal sent
     * @param exitCode the JVM's exit code
     * @param reason the reason of the restart
     */
    private record Stop(String signal, int exitCode, String reason) {

    }

}
