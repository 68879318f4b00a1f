package io.github.workerexporter.instrument;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

/**
 * Route labels and request queue time of a WebFlux application on Netty.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = TestServers.Netty.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "spring.main.web-application-type=reactive")
class NettyRouteLabelsTests extends AbstractRouteLabelsServerTests {

}
