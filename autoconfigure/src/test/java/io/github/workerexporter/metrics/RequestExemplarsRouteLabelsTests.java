package io.github.workerexporter.metrics;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * {@link RequestExemplarsTests} with route labels: the traced request's route series
 * carries the exemplar.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = RequestExemplarsTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "exporter.worker.id=w1",
                "exporter.prometheus.metrics-port=0", "management.tracing.sampling.probability=1.0",
                "exporter.metrics.route-labels=true" })
class RequestExemplarsRouteLabelsTests extends RequestExemplarsTests {

    @Override
    String seriesLabel() {
        return "endpoint=\"/traced\",method=\"GET\",status=\"200\",worker_id=\"w1\"";
    }

}
