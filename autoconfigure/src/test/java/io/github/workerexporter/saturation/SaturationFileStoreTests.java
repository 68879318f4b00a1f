package io.github.workerexporter.saturation;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.github.workerexporter.autoconfigure.MergedViewAutoConfiguration;
import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;
import io.github.workerexporter.publish.WorkerPublisher;
import io.github.workerexporter.storage.Exposition;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saturation families flow through file storage like every gauge: a Tomcat worker
 * holding two requests publishes them, and the scrape of another worker sharing the
 * directory serves them with the first worker's {@code worker_id}.
 *
 * @author Worker Exporter
 */
class SaturationFileStoreTests {

    @TempDir
    Path dir;

    @Test
    void anotherWorkersScrapeServesTheSaturationOfThisWorker() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        try (ConfigurableApplicationContext worker = new SpringApplicationBuilder(
                TomcatSaturationTests.TomcatApplication.class)
            .web(WebApplicationType.SERVLET)
            .properties("server.port=0", "exporter.prometheus.metrics-port=0", "exporter.worker.id=w1",
                    "spring.main.banner-mode=off", "exporter.prometheus.multiproc-dir=" + this.dir)
            .run()) {
            int port = ((WebServerApplicationContext) worker).getWebServer().getPort();
            for (int i = 0; i < 2; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                OutputStream out = socket.getOutputStream();
                out.write("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            SlowServlet servlet = worker.getBean(SlowServlet.class);
            assertThat(servlet.awaitEntered(2)).isTrue();
            worker.getBean(WorkerPublisher.class).flushNow();
            new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        PrometheusMetricsExportAutoConfiguration.class, MergedViewAutoConfiguration.class,
                        WorkerExporterAutoConfiguration.class))
                .withPropertyValues("exporter.prometheus.multiproc-dir=" + this.dir, "exporter.worker.id=w2",
                        "exporter.prometheus.metrics-port=0")
                .run((other) -> {
                    String served = Exposition.text(other.getBean(PrometheusRegistry.class).scrape());
                    assertThat(served).contains(
                            "# HELP gunicorn_worker_threads_busy Request threads of the worker busy running a request")
                        .containsPattern("gunicorn_worker_threads_busy\\{worker_id=\"w1\"} [2-9]\\.0")
                        .contains("gunicorn_worker_threads_max{worker_id=\"w1\"} 200.0")
                        .contains("gunicorn_worker_connections_max{worker_id=\"w1\"} 8192.0")
                        .containsPattern("gunicorn_worker_connections\\{worker_id=\"w1\"} [2-9]\\.0")
                        .doesNotContain("gunicorn_worker_threads_busy{worker_id=\"w2\"}");
                });
            servlet.open();
        }
        finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

}
