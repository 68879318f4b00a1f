package io.github.workerexporter.instrument;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * {@link NettyExemplarsTests} with Spring Boot's default context propagation
 * ({@code limited}): thread locals are restored only by the operators that ask for it,
 * and the filter sets them itself. The request is answered at once.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = NettyExemplarsTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "exporter.worker.id=w1",
                "exporter.prometheus.metrics-port=0", "management.tracing.sampling.probability=1.0",
                "spring.reactor.context-propagation=limited" })
class NettyExemplarsLimitedPropagationTests extends NettyExemplarsTests {

    @Override
    String path() {
        return "/traced";
    }

}
