package io.github.workerexporter.metrics;

import java.io.IOException;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import static io.github.workerexporter.metrics.TextExpositions.withoutCreatedTimes;
import static io.github.workerexporter.metrics.TextExpositions.write;
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
        for (ExpositionFormatWriter writer : TextExpositions.WRITERS) {
            String expected = withoutCreatedTimes(write(writer, theirs));
            assertThat(withoutCreatedTimes(write(writer, ours))).as(writer.toString()).isEqualTo(expected);
            assertThat(expected).contains(NAME + "{worker_id=\"w1\"} 1234");
        }
    }

    @Test
    void countsEveryIncrementOfThreadsCountingAtOnce() throws Exception {
        StripedCounter counter = new StripedCounter(NAME, HELP, "worker_id", "w1");
        int threads = 8;
        int each = 100_000;
        TextExpositions.runAtOnce(threads, () -> {
            for (int i = 0; i < each; i++) {
                counter.inc();
            }
        });
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

}
