package io.github.workerexporter.storage.redis;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import io.github.workerexporter.testing.LoopbackHttp;
import io.github.workerexporter.testing.LoopbackHttp.Answer;

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
                Answer up = get(health);
                assertThat(up.status()).as(up.body()).isEqualTo(200);
                assertThat(JsonPath.<Map<String, Object>>read(up.body(), "$.components.exporter.details"))
                    .containsEntry("workers", Map.of("alive", 1, "stopped", 0, "lost", 0));
                assertThat(JsonPath.<Map<String, Object>>read(up.body(), "$.components")).doesNotContainKey("redis");
            });
            server.stop();
            try {
                Answer down = get(health);
                assertThat(down.status()).isEqualTo(503);
                assertThat(JsonPath.<String>read(down.body(), "$.components.exporter.details.error"))
                    .startsWith("Redis at " + server.host() + ":" + server.port() + ": cannot read the workers: ");
                assertNoStackTrace(health, down);
                for (URI scrape : new URI[] { actuator, metrics }) {
                    Answer response = get(scrape);
                    assertThat(response.status()).as(scrape.toString()).isEqualTo(200);
                    assertThat(response.body()).contains("gunicorn_worker_requests_total")
                        .doesNotContain("gunicorn_master_workers");
                    assertNoStackTrace(scrape, response);
                }
            }
            finally {
                server.restart();
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Answer up = get(health);
                assertThat(up.status()).as(up.body()).isEqualTo(200);
                assertThat(get(metrics).body()).contains("gunicorn_master_workers{state=\"alive\"} 1.0");
            });
        }
    }

    /**
     * Neither a stack frame ({@code at a.b.C.m(C.java:1)}) nor a qualified exception
     * class name.
     */
    private static void assertNoStackTrace(URI uri, Answer response) {
        assertThat(response.body()).as(uri.toString())
            .doesNotContainPattern("\\bat [\\w.$]+\\(")
            .doesNotContainPattern("\\b[a-z]+\\.[\\w.]+(Exception|Error)\\b");
    }

    private static Answer get(URI uri) {
        return LoopbackHttp.getOnce(uri);
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
