package io.github.workerexporter.instrument;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * Request metrics of a Spring MVC application on Tomcat.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = TestServers.Tomcat.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "spring.main.web-application-type=servlet")
class TomcatRequestMetricsTests extends AbstractRequestMetricsServerTests {

}
