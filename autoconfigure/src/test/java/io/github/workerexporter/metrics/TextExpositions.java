package io.github.workerexporter.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * What the tests of Worker Exporter's own data points share: client_java's text formats,
 * with and without created timestamps, to compare an exposition with client_java's; and
 * threads that record at the same moment.
 *
 * @author Worker Exporter
 */
final class TextExpositions {

    /**
     * The Prometheus text format and OpenMetrics, each without and with created
     * timestamps.
     */
    static final List<ExpositionFormatWriter> WRITERS = List.of(PrometheusTextFormatWriter.create(),
            PrometheusTextFormatWriter.builder().setIncludeCreatedTimestamps(true).build(),
            OpenMetricsTextFormatWriter.create(),
            OpenMetricsTextFormatWriter.builder().setCreatedTimestampsEnabled(true).build());

    private TextExpositions() {
    }

    /**
     * Scrape a registry and write it.
     * @param writer the format
     * @param registry the registry to scrape
     * @return the exposition
     * @throws IOException never in practice (written in memory)
     */
    static String write(ExpositionFormatWriter writer, PrometheusRegistry registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * An exposition with the values of its created timestamps replaced, since two
     * families created one after the other differ there.
     * @param exposition the exposition
     * @return the exposition without created times
     */
    static String withoutCreatedTimes(String exposition) {
        return exposition.replaceAll("(?m)^(\\S*_created\\S*) \\S+$", "$1 <time>");
    }

    /**
     * Run a task on several threads released at the same moment, and wait for all of them
     * (at most a minute each).
     * @param threads how many threads
     * @param task what each thread does
     * @throws Exception the failure of a thread, or a timeout
     */
    static void runAtOnce(int threads, Runnable task) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                running.add(executor.submit(() -> {
                    start.await();
                    task.run();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> thread : running) {
                thread.get(1, TimeUnit.MINUTES);
            }
        }
        finally {
            executor.shutdownNow();
        }
    }

}
