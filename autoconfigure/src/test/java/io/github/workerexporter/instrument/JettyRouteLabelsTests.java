package io.github.workerexporter.instrument;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * Route labels and request queue time of a Spring MVC application on Jetty.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = TestServers.Jetty.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "spring.main.web-application-type=servlet")
class JettyRouteLabelsTests extends AbstractRouteLabelsServerTests {

}
