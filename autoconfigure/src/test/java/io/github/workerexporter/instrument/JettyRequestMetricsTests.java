package io.github.workerexporter.instrument;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Request metrics of a Spring MVC application on Jetty.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = JettyRequestMetricsTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "exporter.worker.id=w1",
                "exporter.metrics.max-label-sets=50", "exporter.prometheus.metrics-port=0",
                "management.endpoints.web.exposure.include=prometheus" })
class JettyRequestMetricsTests extends AbstractRequestMetricsServerTests {

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(ServletTestController.class)
    static class App {

        @Bean
        JettyServletWebServerFactory jetty() {
            return new JettyServletWebServerFactory();
        }

    }

}
