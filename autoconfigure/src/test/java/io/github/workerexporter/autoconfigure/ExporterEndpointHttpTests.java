package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import io.github.workerexporter.testing.LoopbackHttp;
import io.github.workerexporter.testing.LoopbackHttp.Answer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code exporter} endpoint of a running application on Tomcat, over real HTTP, with
 * a file store in a temporary directory.
 *
 * @author Worker Exporter
 */
class ExporterEndpointHttpTests {

    private static final String REDIS_PASSWORD = "redis-pa55-never-shown";

    private static final String SCRAPE_PASSWORD = "scrape-pa55-never-shown";

    @TempDir
    Path directory;

    @Test
    @SuppressWarnings("unchecked")
    void servesThisWorkerTheStoredWorkersAndTheMaskedConfiguration() throws Exception {
        try (ConfigurableApplicationContext context = run("management.endpoints.web.exposure.include=exporter")) {
            Answer response = awaitStoredWorker(context);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).doesNotContain(REDIS_PASSWORD).doesNotContain(SCRAPE_PASSWORD);
            Map<String, Object> body = JsonMapper.shared().readValue(response.body(), Map.class);
            Map<String, Object> worker = (Map<String, Object>) body.get("worker");
            assertThat(worker).containsEntry("id", "endpoint-w1")
                .containsEntry("pid", (int) ProcessHandle.current().pid());
            assertThat(Instant.parse((String) worker.get("startTime"))).isBefore(Instant.now());
            Map<String, Object> storage = (Map<String, Object>) body.get("storage");
            assertThat(storage).containsEntry("store", "file")
                .containsEntry("heartbeatTimeout", "PT15S")
                .doesNotContainKey("error");
            Map<String, Object> stored = ((List<Map<String, Object>>) storage.get("workers")).get(0);
            assertThat(stored).containsEntry("id", "endpoint-w1")
                .containsEntry("state", "running")
                .containsEntry("status", "alive")
                .doesNotContainKey("stopReason");
            assertThat(Instant.parse((String) stored.get("lastHeartbeat"))).isBefore(Instant.now().plusSeconds(1));
            Map<String, Object> configuration = (Map<String, Object>) body.get("configuration");
            assertThat(configuration).containsEntry("exporter.redis.password", "******")
                .containsEntry("exporter.prometheus.auth.password", "******")
                .containsEntry("exporter.prometheus.auth.username", "scraper")
                .containsEntry("exporter.prometheus.multiproc-dir", this.directory.toString())
                .containsEntry("exporter.storage.flush-interval", "PT0.1S");
        }
    }

    @Test
    void isNotServedUnlessExposed() throws Exception {
        try (ConfigurableApplicationContext context = run("management.endpoints.web.exposure.include=health")) {
            assertThat(get(context, "/actuator/exporter").status()).isEqualTo(404);
        }
    }

    private Answer awaitStoredWorker(ConfigurableApplicationContext context) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Answer response = get(context, "/actuator/exporter");
        while (!response.body().contains("\"status\":\"alive\"") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            response = get(context, "/actuator/exporter");
        }
        return response;
    }

    private static Answer get(ConfigurableApplicationContext context, String path) {
        return LoopbackHttp.getOnce(((WebServerApplicationContext) context).getWebServer().getPort(), path);
    }

    private ConfigurableApplicationContext run(String exposure) {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET)
            .properties("server.port=0", "spring.main.banner-mode=off", "exporter.prometheus.metrics-port=0",
                    "exporter.prometheus.bind-address=127.0.0.1", "exporter.worker.id=endpoint-w1",
                    "exporter.prometheus.multiproc-dir=" + this.directory, "exporter.storage.flush-interval=100ms",
                    "exporter.redis.password=" + REDIS_PASSWORD, "exporter.prometheus.auth.username=scraper",
                    "exporter.prometheus.auth.password=" + SCRAPE_PASSWORD, exposure)
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
