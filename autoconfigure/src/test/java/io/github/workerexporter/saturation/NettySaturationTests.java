package io.github.workerexporter.saturation;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.HttpHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Reactor Netty serves requests on its event loops, which have no notion of busy, and
 * counts no connections without its own metrics: only the accept queue is served.
 *
 * @author Worker Exporter
 */
class NettySaturationTests {

    @Test
    void servesTheAcceptQueueOnly() throws Exception {
        assumeTrue(AcceptQueue.linux() != null, "no /proc/net/tcp: the accept queue is read on Linux only");
        List<Socket> sockets = new ArrayList<>();
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(NettyApplication.class)
            .web(WebApplicationType.REACTIVE)
            .properties("server.port=0", "exporter.prometheus.metrics-port=0", "exporter.worker.id=w1",
                    "spring.main.banner-mode=off")
            .run()) {
            SaturationGauges gauges = new SaturationGauges(context.getBean(PrometheusRegistry.class), "w1");
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            for (int i = 0; i < 3; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            }
            assertThat(gauges.value("accept_queue")).isPresent();
            for (String family : List.of("threads_busy", "threads_max", "requests_waiting", "connections",
                    "connections_max", "accept_queue_max")) {
                assertThat(gauges.value(family)).as(family).isEmpty();
            }
        }
        finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ NettyReactiveWebServerAutoConfiguration.class, MetricsAutoConfiguration.class,
            PrometheusMetricsExportAutoConfiguration.class, WorkerExporterAutoConfiguration.class })
    static class NettyApplication {

        @Bean
        HttpHandler httpHandler() {
            return (request, response) -> response.setComplete();
        }

    }

}
