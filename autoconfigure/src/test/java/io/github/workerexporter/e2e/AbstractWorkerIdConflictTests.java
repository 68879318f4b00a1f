package io.github.workerexporter.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.testing.LoopbackHttp.Answer;
import io.github.workerexporter.metrics.RequestExposition;

import static io.github.workerexporter.e2e.Totals.requests;
import static io.github.workerexporter.e2e.Workers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two real worker JVMs under one {@code exporter.worker.id} on one store, run by each
 * store: both are counted (the later one publishes under a derived id), one ERROR names
 * the id, both processes and the fix, the later one's {@code exporter} health is down
 * with that reason, and {@code gunicorn_master_worker_id_conflicts_total} counts it. A
 * worker restarted at once after {@code kill -9} under its id is no conflict: its
 * previous life is dead.
 *
 * @author Worker Exporter
 */
abstract class AbstractWorkerIdConflictTests {

    private static final int REQUESTS = 200;

    private static final String CONFLICTS = "gunicorn_master_worker_id_conflicts_total";

    @TempDir
    Path dir;

    /**
     * The arguments that make the workers of one test share a store.
     * @param dir a directory of this test
     * @return the arguments
     */
    abstract List<String> storeArguments(Path dir);

    Workers workers() {
        List<String> arguments = new ArrayList<>(storeArguments(this.dir));
        arguments.addAll(List.of(AbstractSharedStoreEndToEndTests.FLUSH, "--exporter.prometheus.metrics-port=0",
                "--exporter.storage.heartbeat-timeout=5s",
                "--management.endpoints.web.exposure.include=prometheus,health",
                "--management.endpoint.health.show-components=always",
                "--management.endpoint.health.show-details=always"));
        return new Workers(this.dir.resolve("logs"), arguments.toArray(String[]::new));
    }

    @Test
    void twoLiveWorkersUnderOneIdAreBothCountedWithOneErrorHealthDownAndTheConflictCounted() {
        try (Workers workers = workers()) {
            Worker first = workers.start("w1").get(0);
            Worker second = workers.start("w1").get(0);
            Load load = workers.send(List.of(first, second), REQUESTS, 2);
            assertThat(load.failed()).isZero();
            assertThat(load.ok()).isEqualTo(2 * REQUESTS);
            RequestExposition merged = workers.awaitScrape(first, DEADLINE,
                    (exposition) -> sum(exposition, "gunicorn_worker_requests_total") == 2 * REQUESTS
                            && sum(exposition, "e2e_handled_requests_total") == 2 * REQUESTS
                            && sum(exposition, CONFLICTS) == 1);
            assertThat(merged.series("gunicorn_worker_requests_total")).hasSize(2);
            assertThat(requests(merged, "w1")).isEqualTo(REQUESTS);
            List<String> errors = new ArrayList<>(errors(first));
            errors.addAll(errors(second));
            assertThat(errors).hasSize(1);
            assertThat(errors(second)).as("the later life reports it").hasSize(1);
            assertThat(errors.get(0)).contains("'w1'", first.pid() + "@", second.pid() + "@", "exporter.worker.id");
            Answer health = workers.get(second, "/actuator/health");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.body()).contains("\"exporter\"", "DOWN", "w1", Long.toString(first.pid()));
            assertThat(workers.get(first, "/actuator/health").status()).isEqualTo(200);
            RequestExposition again = workers.scrape(second);
            assertThat(sum(again, CONFLICTS)).isEqualTo(1);
            assertThat(errors(first)).isEmpty();
            assertThat(errors(second)).hasSize(1);
        }
    }

    @Test
    void aWorkerRestartedAtOnceAfterKillMinus9UnderItsIdIsNoConflict() {
        try (Workers workers = workers()) {
            List<Worker> started = workers.start("w0", "w1");
            Worker observer = started.get(0);
            Worker victim = started.get(1);
            workers.sendAndAwaitExact(victim, REQUESTS);
            workers.kill(victim);
            Worker restarted = workers.start("w1").get(0);
            workers.send(List.of(restarted), REQUESTS, 2);
            RequestExposition merged = workers.awaitExact(observer, DEADLINE, List.of(restarted),
                    (exposition) -> exposition.value("gunicorn_master_worker_restart_total{reason=\"crash\"}") == 1
                            && exposition.value("gunicorn_master_workers{state=\"alive\"}") == 2);
            assertThat(merged.series("gunicorn_worker_requests_total")).hasSize(2);
            assertThat(merged.series(CONFLICTS)).isEmpty();
            assertThat(workers.get(restarted, "/actuator/health").status()).isEqualTo(200);
            assertThat(errors(restarted)).isEmpty();
            assertThat(errors(observer)).isEmpty();
            assertThat(sum(workers.scrape(observer), CONFLICTS)).isZero();
        }
    }

    private static List<String> errors(Worker worker) {
        return worker.log().lines().filter((line) -> line.contains(" ERROR ")).toList();
    }

    private static double sum(RequestExposition exposition, String family) {
        return exposition.series(family).stream().mapToDouble(exposition::value).sum();
    }

}
