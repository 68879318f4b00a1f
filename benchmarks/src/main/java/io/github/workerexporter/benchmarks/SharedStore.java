package io.github.workerexporter.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.storage.redis.RedisEndpoint;
import io.github.workerexporter.storage.redis.RedisMetricStore;

/**
 * A shared store of one kind for a benchmark trial, with what it needs: a new directory
 * under {@code java.io.tmpdir} for {@code file}, a {@link RedisServer} of its own on
 * loopback for {@code redis}. Data lives for an hour, so nothing expires during a run.
 * {@link #close()} removes it all.
 *
 * @author Worker Exporter
 */
final class SharedStore implements AutoCloseable {

    private static final Duration RETENTION = Duration.ofHours(1);

    private final MetricStore store;

    private final @Nullable Path directory;

    private final @Nullable RedisServer redis;

    private SharedStore(MetricStore store, @Nullable Path directory, @Nullable RedisServer redis) {
        this.store = store;
        this.directory = directory;
        this.redis = redis;
    }

    /**
     * Open a store.
     * @param kind {@code file} or {@code redis}
     * @return the store
     */
    static SharedStore open(String kind) {
        return switch (kind) {
            case "file" -> file();
            case "redis" -> redis();
            default -> throw new IllegalArgumentException("Unknown store '" + kind + "': file or redis");
        };
    }

    MetricStore store() {
        return this.store;
    }

    @Override
    public void close() {
        this.store.close();
        if (this.redis != null) {
            this.redis.close();
        }
        if (this.directory != null) {
            delete(this.directory);
        }
    }

    private static SharedStore file() {
        try {
            Path directory = Files.createTempDirectory("worker-exporter-bench");
            return new SharedStore(new FileMetricStore(directory, RETENTION, Clock.systemUTC()), directory, null);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static SharedStore redis() {
        RedisServer server = RedisServer.start();
        RedisEndpoint endpoint = new RedisEndpoint("127.0.0.1", server.port(), 0, null, null, false,
                Duration.ofSeconds(5));
        RedisMetricStore store = RedisMetricStore.connect(endpoint, "bench", RETENTION);
        // Connect now: the first command's connection set-up is not part of any
        // benchmark.
        store.readAll();
        return new SharedStore(store, null, server);
    }

    private static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
        }
        catch (IOException ex) {
            // A temporary directory: left for the system to clean.
        }
    }

}
