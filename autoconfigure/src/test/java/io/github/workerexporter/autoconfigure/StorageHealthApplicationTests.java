package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.storage.BinarySnapshotCodec;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.FileMetricStore;
import io.github.workerexporter.testing.LoopbackHttp;
import io.github.workerexporter.testing.LoopbackHttp.Answer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code exporter} component of {@code /actuator/health} in a running web application
 * that shares a real directory with another worker.
 *
 * @author Worker Exporter
 */
class StorageHealthApplicationTests {

    @TempDir
    Path dir;

    @Test
    void showsTheStoreAndItsWorkersInActuatorHealth() throws Exception {
        try (FileMetricStore other = new FileMetricStore(this.dir, Duration.ofMinutes(5), Clock.systemUTC())) {
            other.publish(new WorkerRecord("w-stopped", 1, 0, System.currentTimeMillis(), WorkerState.STOPPED,
                    StopReason.TERM, new BinarySnapshotCodec().encode(MetricSnapshots.of())));
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.SERVLET)
                .properties("server.port=0", "exporter.prometheus.metrics-port=0",
                        "exporter.prometheus.bind-address=127.0.0.1", "exporter.prometheus.multiproc-dir=" + this.dir,
                        "management.endpoints.web.exposure.include=health",
                        "management.endpoint.health.show-components=always",
                        "management.endpoint.health.show-details=always",
                        "spring.config.location=optional:classpath:/none/", "spring.main.banner-mode=off")
                .run()) {
                int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
                // This application counts once its flusher has written its first record.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    String health = health(port);
                    assertThat(JsonPath.<String>read(health, "$.components.exporter.status")).isEqualTo("UP");
                    assertThat(JsonPath.<Map<String, Object>>read(health, "$.components.exporter.details"))
                        .containsEntry("store", "file")
                        .containsEntry("location", this.dir.toString())
                        .containsEntry("workers", Map.of("alive", 1, "stopped", 1, "lost", 0));
                });
            }
        }
    }

    private static String health(int port) throws IOException, InterruptedException {
        Answer response = LoopbackHttp.getOnce(port, "/actuator/health");
        assertThat(response.status()).isEqualTo(200);
        return response.body();
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }

    }

}
