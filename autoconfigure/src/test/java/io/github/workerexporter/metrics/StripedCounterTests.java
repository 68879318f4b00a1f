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
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link StripedCounter} and {@link Stripes}.
 *
 * @author Worker Exporter
 */
class StripedCounterTests {

    private static final String NAME = "gunicorn_worker_requests_total";

    private static final String HELP = "Total number of requests handled by this worker";

    @Test
    void exposesExactlyWhatClientJavasCounterExposesForTheSameIncrements() throws IOException {
        PrometheusRegistry ours = new PrometheusRegistry();
        StripedCounter counter = new StripedCounter(NAME, HELP, "worker_id", "w1");
        ours.register(counter);
        PrometheusRegistry theirs = new PrometheusRegistry();
        CounterDataPoint reference = Counter.builder()
            .name(NAME)
            .help(HELP)
            .labelNames("worker_id")
            .withoutExemplars()
            .register(theirs)
            .labelValues("w1");
        for (int i = 0; i < 1234; i++) {
            counter.inc();
            reference.inc();
        }
        for (ExpositionFormatWriter writer : List.of(PrometheusTextFormatWriter.create(),
                PrometheusTextFormatWriter.builder().setIncludeCreatedTimestamps(true).build(),
                OpenMetricsTextFormatWriter.create(),
                OpenMetricsTextFormatWriter.builder().setCreatedTimestampsEnabled(true).build())) {
            String expected = ClassicHistogramTests.withoutCreatedTimes(write(writer, theirs));
            assertThat(ClassicHistogramTests.withoutCreatedTimes(write(writer, ours))).as(writer.toString())
                .isEqualTo(expected);
            assertThat(expected).contains(NAME + "{worker_id=\"w1\"} 1234");
        }
    }

    @Test
    void countsEveryIncrementOfThreadsCountingAtOnce() throws Exception {
        StripedCounter counter = new StripedCounter(NAME, HELP, "worker_id", "w1");
        int threads = 8;
        int each = 100_000;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> counting = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                counting.add(executor.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        counter.inc();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> thread : counting) {
                thread.get(1, TimeUnit.MINUTES);
            }
        }
        finally {
            executor.shutdownNow();
        }
        assertThat(counter.collect().getDataPoints().get(0).getValue()).isEqualTo((double) threads * each);
    }

    @Test
    void hasFourStripesPerProcessorAsAPowerOfTwoFromFourToSixtyFour() {
        assertThat(Stripes.stripes(1)).isEqualTo(4);
        assertThat(Stripes.stripes(2)).isEqualTo(8);
        assertThat(Stripes.stripes(3)).isEqualTo(16);
        assertThat(Stripes.stripes(4)).isEqualTo(16);
        assertThat(Stripes.stripes(16)).isEqualTo(64);
        assertThat(Stripes.stripes(96)).isEqualTo(64);
    }

    private static String write(ExpositionFormatWriter writer, PrometheusRegistry registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
        return out.toString(StandardCharsets.UTF_8);
    }

}
