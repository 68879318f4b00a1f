package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import io.github.workerexporter.server.MetricsServerBindException;
import io.github.workerexporter.testing.LoopbackHttp;
import io.github.workerexporter.testing.LoopbackHttp.Answer;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * End-to-end tests of the metrics server in a running {@code SpringApplication}: started
 * when the application is ready, stopped when it closes.
 */
class MetricsServerApplicationTests {

    @Test
    void servesMetricsOnThePublishedPortOnceReadyAndFreesItOnClose() throws Exception {
        int port;
        try (ConfigurableApplicationContext context = application("exporter.prometheus.metrics-port=0").run()) {
            port = context.getEnvironment().getRequiredProperty("local.exporter.metrics-port", Integer.class);
            Answer response = LoopbackHttp.getOnce(port, "/metrics");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("app_requests_total 1.0");
        }
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void failsStartUpWhenTheMetricsPortStaysTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            SpringApplicationBuilder application = application(
                    "exporter.prometheus.metrics-port=" + taken.getLocalPort(), "exporter.prometheus.bind-attempts=2",
                    "exporter.prometheus.bind-backoff=50ms");
            assertThatException().isThrownBy(application::run).isInstanceOf(MetricsServerBindException.class);
        }
    }

    @Test
    void keepsRunningWithoutTheMetricsServerWhenThePortStaysTakenInWarnMode() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
                ConfigurableApplicationContext context = application(
                        "exporter.prometheus.metrics-port=" + taken.getLocalPort(),
                        "exporter.prometheus.bind-attempts=2", "exporter.prometheus.bind-backoff=50ms",
                        "exporter.prometheus.on-bind-failure=warn")
                    .run()) {
            assertThat(context.isActive()).isTrue();
            assertThat(context.getEnvironment().containsProperty("local.exporter.metrics-port")).isFalse();
        }
    }

    private static SpringApplicationBuilder application(String... properties) {
        return new SpringApplicationBuilder(ApplicationConfiguration.class).web(WebApplicationType.NONE)
            .properties("exporter.prometheus.bind-address=127.0.0.1", "spring.main.banner-mode=off")
            .properties(properties);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(WorkerExporterAutoConfiguration.class)
    static class ApplicationConfiguration {

        @Bean
        PrometheusRegistry prometheusRegistry() {
            PrometheusRegistry registry = new PrometheusRegistry();
            Counter.builder().name("app_requests").help("Requests").register(registry).inc();
            return registry;
        }

    }

}
