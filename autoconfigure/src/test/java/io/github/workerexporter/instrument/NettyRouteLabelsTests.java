package io.github.workerexporter.instrument;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Route labels and request queue time of a WebFlux application on Netty.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = NettyRouteLabelsTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=reactive", "exporter.worker.id=w1",
                "exporter.metrics.route-labels=true", "exporter.metrics.status-label=class",
                "exporter.metrics.queue-time.enabled=true", "exporter.prometheus.metrics-port=0" })
class NettyRouteLabelsTests extends AbstractRouteLabelsServerTests {

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
