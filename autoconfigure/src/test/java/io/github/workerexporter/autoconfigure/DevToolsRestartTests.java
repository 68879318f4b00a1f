package io.github.workerexporter.autoconfigure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;

import io.github.workerexporter.merge.MergedViewRegistry;
import io.github.workerexporter.testing.LoopbackHttp;
import io.github.workerexporter.testing.LoopbackHttp.Answer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a DevTools restart does: the same application closed and started again in one JVM,
 * with a fixed metrics port. The metrics server of the first context frees the port at
 * {@code on_exit}, its signal handlers are put back, and the second context serves its
 * own metrics, and the merged view of the file store, on the same port.
 *
 * @author Worker Exporter
 */
class DevToolsRestartTests {

    private static final String CHLD_COUNTED = "gunicorn_master_worker_restart_total{reason=\"chld\"} 1.0";

    @TempDir
    Path directory;

    @Test
    void restartedApplicationServesMetricsOnTheSamePort() throws Exception {
        int port = freePort();
        PrometheusRegistry firstRegistry;
        try (ConfigurableApplicationContext first = run(port)) {
            firstRegistry = first.getBean(PrometheusRegistry.class);
            assertThat(scrape(port).status()).isEqualTo(200);
        }
        try (ConfigurableApplicationContext second = run(port)) {
            assertThat(second.getBean(PrometheusRegistry.class)).isNotSameAs(firstRegistry);
            assertThat(awaitScrape(port, (body) -> body.contains("gunicorn_master_workers{state=\"alive\"} 1.0")))
                .contains("gunicorn_worker_state{state=\"running\",worker_id=\"restart-w1\"} 1.0")
                .contains("gunicorn_master_workers{state=\"stopped\"} 0.0");
            // SIGCHLD is ignored by default, so raising it is safe even if not handled.
            Signal.raise(new Signal("CHLD"));
            assertThat(awaitScrape(port, (body) -> body.contains(CHLD_COUNTED))).contains(CHLD_COUNTED);
            assertThat(localText(firstRegistry)).contains(CHLD_COUNTED.replace("1.0", "0.0"));
        }
    }

    private String awaitScrape(int port, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String body = scrape(port).body();
        while (!condition.test(body) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            body = scrape(port).body();
        }
        return body;
    }

    private static Answer scrape(int port) {
        return LoopbackHttp.getOnce(port, "/metrics");
    }

    private static String localText(PrometheusRegistry registry) throws IOException {
        // Its own families only: its merged view would show the second context's record.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, ((MergedViewRegistry) registry).scrapeLocal((name) -> true));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private ConfigurableApplicationContext run(int metricsPort) {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET)
            .properties("server.port=0", "spring.main.banner-mode=off",
                    "exporter.prometheus.metrics-port=" + metricsPort, "exporter.prometheus.bind-address=127.0.0.1",
                    "exporter.prometheus.bind-attempts=1", "exporter.worker.id=restart-w1",
                    "exporter.prometheus.multiproc-dir=" + this.directory, "exporter.storage.flush-interval=100ms")
            .run();
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @ImportAutoConfiguration(ExporterEndpointAutoConfiguration.class)
    static class App {

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }

    }

}
