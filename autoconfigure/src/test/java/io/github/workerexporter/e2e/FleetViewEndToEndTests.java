package io.github.workerexporter.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.storage.redis.RedisServerSupport;

import static io.github.workerexporter.e2e.Workers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fleet view ({@code exporter.storage.view=fleet}) served by real worker JVMs over
 * the file store and a real Redis server: the request counter is the exact fleet total
 * without {@code worker_id}, and it never goes backwards while a worker stops and its
 * data leaves the store (swept or expired at the retention). No timing assertions: each
 * wait is for a condition, bounded by a deadline.
 *
 * @author Worker Exporter
 */
class FleetViewEndToEndTests {

    @TempDir
    Path dir;

    @Test
    void keepsTheFleetTotalOfAWorkerStoppedAndSweptFromTheFileStore() {
        Path multiproc = this.dir.resolve("multiproc");
        assertFleetTotalSurvivesAStoppedWorker(
                List.of("--exporter.prometheus.multiproc-dir=" + multiproc, "--exporter.storage.retention=4s"));
        assertThat(multiproc.resolve("fleet-remainder.value")).exists();
    }

    @Test
    void keepsTheFleetTotalOfAWorkerStoppedAndExpiredFromRedis() {
        RedisServerSupport redis = RedisServerSupport.shared();
        assertFleetTotalSurvivesAStoppedWorker(List.of("--exporter.redis.enabled=true",
                "--spring.data.redis.host=" + redis.host(), "--spring.data.redis.port=" + redis.port(),
                "--exporter.redis.key-prefix=fleet-e2e-" + System.nanoTime(), "--exporter.redis.ttl-seconds=4"));
    }

    private void assertFleetTotalSurvivesAStoppedWorker(List<String> store) {
        List<String> arguments = new ArrayList<>(store);
        arguments.addAll(List.of(AbstractSharedStoreEndToEndTests.FLUSH, "--exporter.prometheus.metrics-port=0",
                "--exporter.storage.view=fleet", "--exporter.storage.heartbeat-timeout=2s"));
        try (Workers workers = new Workers(this.dir.resolve("logs"), arguments.toArray(String[]::new))) {
            List<Worker> started = workers.start("w1", "w2");
            Worker observer = started.get(0);
            Load load = workers.send(started, 500, 2);
            assertThat(load.failed()).isZero();
            RequestExposition fleet = workers.awaitScrape(observer, DEADLINE,
                    (exposition) -> exposition.value("e2e_handled_requests_total") >= 1_000 && exposition
                        .value("gunicorn_worker_requests_total") == exposition.value("e2e_handled_requests_total"));
            assertThat(fleet.series("gunicorn_worker_requests_total")).isEmpty();
            assertThat(fleet.text().lines().filter((line) -> !line.startsWith("#") && !line.contains("_master_")))
                .noneMatch((line) -> line.contains("worker_id"));
            assertThat(fleet.text()).contains("gunicorn_master_worker_restart_count_total{reason=\"crash\","
                    + "restart_type=\"forced\",worker_id=\"w1\"}");
            assertThat(fleet.value("gunicorn_master_workers{state=\"alive\"}")).isEqualTo(2);
            double total = fleet.value("gunicorn_worker_requests_total");
            workers.stop(started.get(1), "TERM");
            double[] previous = { total };
            RequestExposition gone = workers.awaitScrape(observer, DEADLINE, (exposition) -> {
                double now = exposition.value("gunicorn_worker_requests_total");
                assertThat(now).as("the fleet counter after the last scrape's %s", previous[0])
                    .isGreaterThanOrEqualTo(previous[0]);
                previous[0] = now;
                return exposition.value("gunicorn_master_workers{state=\"alive\"}") == 1
                        && exposition.value("gunicorn_master_workers{state=\"stopped\"}") == 0
                        && exposition.value("gunicorn_master_workers{state=\"lost\"}") == 0;
            });
            assertThat(gone.value("gunicorn_worker_requests_total")).isEqualTo(total);
            assertThat(gone.text()).doesNotContain("worker_id=\"w2\"");
        }
    }

}
