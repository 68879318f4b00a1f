package io.github.workerexporter.merge;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.github.workerexporter.storage.redis.RedisServerSupport;
import io.github.workerexporter.testing.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exemplars through shared storage: two workers (Spring MVC on Tomcat, Spring Boot's
 * Brave tracing, every request sampled) on one file store or Redis; a traced request to
 * one, an OpenMetrics scrape of the other's metrics server over HTTP shows that trace on
 * the first worker's series.
 *
 * @author Worker Exporter
 */
class ExemplarsThroughStoresTests {

    private static final String TRACE_ID = "5b8aa5a2d2c872e8321cf37308d69df2";

    private final List<ConfigurableApplicationContext> workers = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        this.workers.forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void anotherWorkerServesTheTraceOfARequestThroughTheFileStore() throws Exception {
        assertServedByTheOtherWorker("exporter.prometheus.multiproc-dir=" + this.dir);
    }

    @Test
    void anotherWorkerServesTheTraceOfARequestThroughRedis() throws Exception {
        RedisServerSupport server = RedisServerSupport.shared();
        assertServedByTheOtherWorker("exporter.redis.enabled=true", "exporter.redis.host=127.0.0.1",
                "exporter.redis.port=" + server.port(), "exporter.redis.key-prefix=exemplars:" + UUID.randomUUID());
    }

    private void assertServedByTheOtherWorker(String... store) throws Exception {
        ConfigurableApplicationContext traced = worker("w1", store);
        ConfigurableApplicationContext other = worker("w2", store);
        int port = traced.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        assertThat(RawHttp.get(port, "/traced", "traceparent: 00-" + TRACE_ID + "-a2fb4a1d1a96d312-01").status())
            .isEqualTo(200);
        await("the exemplar in the other worker's merged view").atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(200))
            .untilAsserted(() -> assertThat(openMetrics(other).lines()
                .filter((line) -> line.startsWith("gunicorn_worker_request_duration_seconds_bucket{worker_id=\"w1\""))
                .filter((line) -> line.contains("trace_id=\"" + TRACE_ID + "\""))).hasSize(1));
        assertThat(openMetrics(other).lines()
            .filter((line) -> line.startsWith("gunicorn_worker_requests_total{worker_id=\"w1\"}"))).singleElement()
            .asString()
            .contains("trace_id=\"" + TRACE_ID + "\"");
    }

    private String openMetrics(ConfigurableApplicationContext worker) throws Exception {
        int port = worker.getEnvironment().getRequiredProperty("local.exporter.metrics-port", Integer.class);
        RawHttp.Response response = RawHttp.get(port, "/metrics",
                "Accept: application/openmetrics-text; version=1.0.0");
        assertThat(response.status()).isEqualTo(200);
        return response.text();
    }

    private ConfigurableApplicationContext worker(String id, String... store) {
        ConfigurableApplicationContext worker = new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET)
            .properties("server.port=0", "server.address=127.0.0.1", "exporter.worker.id=" + id,
                    "exporter.prometheus.metrics-port=0", "exporter.prometheus.bind-address=127.0.0.1",
                    "exporter.storage.flush-interval=200ms", "management.tracing.sampling.probability=1.0",
                    "spring.main.banner-mode=off")
            .properties(store)
            .run();
        this.workers.add(worker);
        return worker;
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @RestController
    static class App {

        @GetMapping("/traced")
        String traced() {
            return "ok";
        }

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }

    }

}
