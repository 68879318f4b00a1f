package io.github.workerexporter.merge;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.metrics.RequestMetrics;
import io.github.workerexporter.metrics.RequestMetrics.RouteLabels;
import io.github.workerexporter.publish.WorkerIdConflict;
import io.github.workerexporter.publish.WorkerPublisher;
import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.github.workerexporter.storage.Exposition;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.storage.redis.RedisEndpoint;
import io.github.workerexporter.storage.redis.RedisMetricStore;
import io.github.workerexporter.storage.redis.RedisServerSupport;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route-labelled request families and the in-flight gauge of two workers, published by
 * the real flusher through a real file store and a real Redis server, merged into one
 * view: each worker's label sets arrive whole, side by side.
 *
 * @author Worker Exporter
 */
class RouteLabelsThroughStoresTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Clock clock = Clock.systemUTC();

    private final BinarySnapshotCodec codec = new BinarySnapshotCodec();

    @TempDir
    Path dir;

    @Test
    void mergesRouteLabelledFamiliesOfTwoWorkersThroughTheFileStore() {
        assertMerged((prefix) -> new FileMetricStore(this.dir, TIMEOUT, this.clock));
    }

    @Test
    void mergesRouteLabelledFamiliesOfTwoWorkersThroughRedis() {
        RedisServerSupport server = RedisServerSupport.shared();
        assertMerged((prefix) -> RedisMetricStore.connect(
                new RedisEndpoint(server.host(), server.port(), 0, null, null, false, Duration.ofSeconds(2)), prefix,
                TIMEOUT));
    }

    private void assertMerged(Function<String, MetricStore> stores) {
        String keyPrefix = "routes-" + System.nanoTime();
        try (MetricStore store = stores.apply(keyPrefix)) {
            publish(store, "a", 2, 1);
            publish(store, "b", 3, 0);
            MergingCollector merged = new MergingCollector(
                    new WorkerCensus(store, this.codec, "gunicorn", TIMEOUT, this.clock), "gunicorn", Map.of(),
                    MetricSnapshots::of);
            String text = Exposition.text(merged.collect());
            for (String worker : List.of("a", "b")) {
                String users = "{endpoint=\"/users/{id}\",method=\"GET\",status=\"200\",worker_id=\"" + worker + "\"}";
                String orders = "{endpoint=\"/orders\",method=\"POST\",status=\"503\",worker_id=\"" + worker + "\"}";
                double count = worker.equals("a") ? 2 : 3;
                assertThat(text).contains("gunicorn_worker_requests_total" + users + " " + count,
                        "gunicorn_worker_requests_total" + orders + " 1.0",
                        "gunicorn_worker_request_duration_seconds_count" + users + " " + (long) count,
                        "gunicorn_worker_response_size_bytes_sum" + users + " " + (count * 512));
            }
            assertThat(text).contains("gunicorn_worker_requests_in_flight{worker_id=\"a\"} 1.0",
                    "gunicorn_worker_requests_in_flight{worker_id=\"b\"} 0.0");
        }
    }

    private void publish(MetricStore store, String worker, int users, int inFlight) {
        PrometheusRegistry registry = new PrometheusRegistry();
        RequestMetrics metrics = new RequestMetrics(registry, "gunicorn", worker, 50, RouteLabels.STATUS_CODE,
                List.of());
        for (int i = 0; i < users; i++) {
            metrics.record("GET", "/users/{id}", 200, 1_000_000, 0, 512, null);
        }
        metrics.record("POST", "/orders", 503, 1_000_000, 100, 0, null);
        for (int i = 0; i < inFlight; i++) {
            metrics.started();
        }
        WorkerLifecycle lifecycle = new WorkerLifecycle();
        lifecycle.transition(WorkerState.RUNNING);
        WorkerPublisher publisher = new WorkerPublisher(store, this.codec, new WorkerIdentity(worker, 1, Instant.now()),
                registry::scrape, (name) -> true, lifecycle, (previousLives) -> {
                }, this.clock, WorkerIdConflict.of("gunicorn", new WorkerIdentity(worker, 1, Instant.now())));
        publisher.flushNow();
        publisher.close();
    }

}
