package io.github.workerexporter.metrics;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * {@link RequestExemplarsTests} with {@code exporter.metrics.histograms=both}: the
 * duration histogram is a native one with the original's classic buckets, and the traced
 * request's classic bucket and the counter still carry its exemplar.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = RequestExemplarsTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "exporter.worker.id=w1",
                "exporter.prometheus.metrics-port=0", "management.tracing.sampling.probability=1.0",
                "exporter.metrics.histograms=both" })
class RequestExemplarsBothHistogramsTests extends RequestExemplarsTests {

}
