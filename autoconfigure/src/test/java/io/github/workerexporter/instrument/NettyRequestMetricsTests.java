package io.github.workerexporter.instrument;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Request metrics of a WebFlux application on Reactor Netty.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = NettyRequestMetricsTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "exporter.worker.id=w1",
                "exporter.metrics.max-label-sets=50", "exporter.prometheus.metrics-port=0",
                "management.endpoints.web.exposure.include=prometheus" })
class NettyRequestMetricsTests extends AbstractRequestMetricsServerTests {

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(ReactiveTestController.class)
    static class App {

        @Bean
        NettyReactiveWebServerFactory netty() {
            return new NettyReactiveWebServerFactory();
        }

    }

}
