package io.github.workerexporter.storage.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A running web application whose exporter has a Redis connection of its own
 * ({@code exporter.redis.host} and {@code port}) to a real Redis that this test stops and
 * restarts empty: {@code /actuator/health}, {@code /actuator/prometheus} and the metrics
 * server answer without a stack trace while Redis is down, and the health is UP again
 * once it is back.
 *
 * @author Worker Exporter
 */
class RedisStoreFaultsApplicationTests {

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void healthAndScrapesAnswerWithoutAStackTraceWhileRedisIsDownAndRecoverWhenItIsBack() {
        try (RedisServerSupport server = RedisServerSupport.start();
                ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
                    .web(WebApplicationType.SERVLET)
                    .properties("server.address=127.0.0.1", "server.port=0", "exporter.prometheus.metrics-port=0",
                            "exporter.prometheus.bind-address=127.0.0.1", "exporter.worker.id=w1",
                            "exporter.redis.enabled=true", "exporter.redis.host=" + server.host(),
                            "exporter.redis.port=" + server.port(), "exporter.redis.timeout=500ms",
                            "exporter.storage.flush-interval=100ms",
                            "management.endpoints.web.exposure.include=health,prometheus",
                            "management.endpoint.health.show-details=always",
                            "spring.config.location=optional:classpath:/none/", "spring.main.banner-mode=off")
                    .run()) {
            Environment environment = context.getEnvironment();
            URI health = URI.create(
                    "http://127.0.0.1:" + environment.getRequiredProperty("local.server.port") + "/actuator/health");
            URI actuator = health.resolve("/actuator/prometheus");
            URI metrics = URI.create(
                    "http://127.0.0.1:" + environment.getRequiredProperty("local.exporter.metrics-port") + "/metrics");
            // Only the exporter's own connection is checked, not the application's unused
            // one (localhost:6379).
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> up = get(health);
                assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
                assertThat(JsonPath.<Map<String, Object>>read(up.body(), "$.components.exporter.details"))
                    .containsEntry("workers", Map.of("alive", 1, "stopped", 0, "lost", 0));
                assertThat(JsonPath.<Map<String, Object>>read(up.body(), "$.components")).doesNotContainKey("redis");
            });
            server.stop();
            try {
                HttpResponse<String> down = get(health);
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(JsonPath.<String>read(down.body(), "$.components.exporter.details.error"))
                    .startsWith("Redis at " + server.host() + ":" + server.port() + ": cannot read the workers: ");
                assertNoStackTrace(down);
                for (URI scrape : new URI[] { actuator, metrics }) {
                    HttpResponse<String> response = get(scrape);
                    assertThat(response.statusCode()).as(scrape.toString()).isEqualTo(200);
                    assertThat(response.body()).contains("gunicorn_worker_requests_total")
                        .doesNotContain("gunicorn_master_workers");
                    assertNoStackTrace(response);
                }
            }
            finally {
                server.restart();
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                HttpResponse<String> up = get(health);
                assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
                assertThat(get(metrics).body()).contains("gunicorn_master_workers{state=\"alive\"} 1.0");
            });
        }
    }

    /**
     * Neither a stack frame ({@code at a.b.C.m(C.java:1)}) nor a qualified exception
     * class name.
     */
    private static void assertNoStackTrace(HttpResponse<String> response) {
        assertThat(response.body()).as(response.uri().toString())
            .doesNotContainPattern("\\bat [\\w.$]+\\(")
            .doesNotContainPattern("\\b[a-z]+\\.[\\w.]+(Exception|Error)\\b");
    }

    private HttpResponse<String> get(URI uri) {
        try {
            return this.client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
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
