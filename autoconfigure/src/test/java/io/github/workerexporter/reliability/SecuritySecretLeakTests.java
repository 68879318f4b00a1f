package io.github.workerexporter.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.workerexporter.testing.RawHttp;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running application never shows a secret, while its Redis fails. A Spring MVC
 * application on Tomcat with Actuator, every endpoint exposed and showing values
 * ({@code show-values=always}, health details always), gets a Redis password and a
 * basic-auth password (as the original's {@code REDIS_PASSWORD} variable and as
 * {@code EXPORTER_PROMETHEUS_AUTH_PASSWORD}), or a {@code spring.data.redis.url} with
 * credentials, and a Redis that is not there. After several failed flushes, nothing it
 * printed and nothing it answers, on {@code /actuator/*} and on the metrics port, holds a
 * secret. The exporter's secrets are masked in {@code env} and {@code configprops}
 * although they show values (before the fix both showed them, and the original's variable
 * too); the URL with credentials is Spring Boot's own property, checked with Spring
 * Boot's default of showing no values.
 *
 * @author Worker Exporter
 */
@Tag("reliability")
@ExtendWith(OutputCaptureExtension.class)
class SecuritySecretLeakTests {

    private static final String REDIS_SECRET = "redis-pw-" + UUID.randomUUID().toString().substring(0, 8);

    private static final String AUTH_SECRET = "scrape-pw-" + UUID.randomUUID().toString().substring(0, 8);

    private static final String URL_SECRET = "url-pw-" + UUID.randomUUID().toString().substring(0, 8);

    private static final List<String> ACTUATOR_PATHS = List.of("/actuator", "/actuator/exporter", "/actuator/env",
            "/actuator/env/exporter.redis.password", "/actuator/env/REDIS_PASSWORD",
            "/actuator/env/exporter.prometheus.auth.password", "/actuator/env/spring.data.redis.url",
            "/actuator/configprops", "/actuator/configprops/exporter", "/actuator/health", "/actuator/health/exporter",
            "/actuator/prometheus", "/actuator/metrics", "/actuator/beans", "/actuator/conditions", "/actuator/loggers",
            "/actuator/mappings", "/actuator/info", "/actuator/threaddump", "/actuator/startup",
            "/actuator/scheduledtasks");

    @Test
    void noSecretIsShownWhileRedisIsUnreachableEvenWithValuesShown(CapturedOutput output) throws Exception {
        Map<String, Object> variables = Map.of("REDIS_PASSWORD", REDIS_SECRET, "EXPORTER_PROMETHEUS_AUTH_PASSWORD",
                AUTH_SECRET);
        try (ConfigurableApplicationContext context = run(variables, "exporter.redis.enabled=true",
                "exporter.redis.host=127.0.0.1", "exporter.redis.port=" + closedPort(), "exporter.redis.username=alice",
                "exporter.redis.timeout=500ms", "exporter.prometheus.auth.username=scraper",
                "management.endpoint.env.show-values=always", "management.endpoint.configprops.show-values=always")) {
            Map<String, RawHttp.Response> answers = awaitFailedFlushesAndFetchAll(context, output,
                    "Flush to redis storage failed");
            assertThat(answers.get("/actuator/env/exporter.redis.password").text()).contains("\"value\":\"******\"")
                .contains("REDIS_PASSWORD");
            assertThat(answers.get("/actuator/env/REDIS_PASSWORD").text()).contains("******");
            assertThat(answers.get("/actuator/env/exporter.prometheus.auth.password").text()).contains("******");
            assertThat(answers.get("/actuator/env").text()).contains("exporter.redis.username").contains("\"alice\"");
            assertThat(answers.get("/actuator/configprops/exporter").text()).contains("\"alice\"");
            assertThat(answers.get("/actuator/exporter").text()).contains("\"exporter.redis.password\":\"******\"")
                .contains("\"exporter.prometheus.auth.password\":\"******\"")
                .contains("Redis at 127.0.0.1");
            assertThat(answers.get("/actuator/health").text()).contains("\"DOWN\"").contains("Redis at 127.0.0.1");
            assertNoSecret(answers, output);
        }
    }

    @Test
    void aRedisUrlWithCredentialsIsNeverShown(CapturedOutput output) throws Exception {
        try (ConfigurableApplicationContext context = run(Map.of(), "exporter.redis.enabled=true",
                "spring.data.redis.url=redis://bob:" + URL_SECRET + "@127.0.0.1:" + closedPort(),
                "spring.data.redis.timeout=500ms", "exporter.prometheus.auth.password=" + AUTH_SECRET,
                "exporter.prometheus.auth.username=scraper")) {
            Map<String, RawHttp.Response> answers = awaitFailedFlushesAndFetchAll(context, output,
                    "Flush to redis storage failed");
            assertThat(answers.get("/actuator/exporter").text()).contains("\"store\":\"redis\"")
                .contains("Redis at 127.0.0.1");
            assertNoSecret(answers, output);
        }
    }

    private Map<String, RawHttp.Response> awaitFailedFlushesAndFetchAll(ConfigurableApplicationContext context,
            CapturedOutput output, String failure) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!output.getOut().contains(failure) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(output.getOut()).as("the flush failed").contains(failure);
        // a few more failed flushes (logged at DEBUG) and reconnection attempts
        Thread.sleep(1000);
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        Map<String, RawHttp.Response> answers = new LinkedHashMap<>();
        for (String path : ACTUATOR_PATHS) {
            answers.put(path, get(port, path, null));
        }
        int metricsPort = context.getEnvironment().getRequiredProperty("local.exporter.metrics-port", Integer.class);
        answers.put("metrics port", get(metricsPort, "/metrics", "Basic "
                + Base64.getEncoder().encodeToString(("scraper:" + AUTH_SECRET).getBytes(StandardCharsets.UTF_8))));
        answers.put("metrics port without credentials", get(metricsPort, "/metrics", null));
        answers.put("metrics port, wrong password", get(metricsPort, "/metrics", "Basic " + Base64.getEncoder()
            .encodeToString(("scraper:" + AUTH_SECRET + "x").getBytes(StandardCharsets.UTF_8))));
        assertThat(answers.get("/actuator/exporter").status()).isEqualTo(200);
        assertThat(answers.get("/actuator/prometheus").text()).contains("gunicorn_worker_requests");
        assertThat(answers.get("metrics port").status()).isEqualTo(200);
        assertThat(answers.get("metrics port").text()).contains("gunicorn_worker_requests");
        assertThat(answers.get("metrics port without credentials").status()).isEqualTo(401);
        return answers;
    }

    private static void assertNoSecret(Map<String, RawHttp.Response> answers, CapturedOutput output) {
        answers.forEach((path, answer) -> {
            assertThat(answer.text()).as(path).doesNotContain(REDIS_SECRET, AUTH_SECRET, URL_SECRET);
            assertThat(answer.headers().toString()).as(path).doesNotContain(REDIS_SECRET, AUTH_SECRET, URL_SECRET);
        });
        assertThat(output.getAll()).doesNotContain(REDIS_SECRET, AUTH_SECRET, URL_SECRET);
    }

    private static RawHttp.Response get(int port, String path, @Nullable String authorization) throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            return http.send((authorization != null) ? RawHttp.request("GET", path, "Authorization: " + authorization)
                    : RawHttp.request("GET", path));
        }
    }

    private static ConfigurableApplicationContext run(Map<String, Object> variables, String... properties) {
        StandardEnvironment environment = new StandardEnvironment() {

            @Override
            protected void customizePropertySources(MutablePropertySources sources) {
                super.customizePropertySources(sources);
                sources.replace(SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new SystemEnvironmentPropertySource(SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
            }

        };
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET)
            .environment(environment)
            .properties("spring.config.location=optional:classpath:/none/", "spring.main.banner-mode=off",
                    "server.port=0", "server.address=127.0.0.1", "exporter.prometheus.metrics-port=0",
                    "exporter.prometheus.bind-address=127.0.0.1", "exporter.worker.id=leak-w1",
                    "exporter.storage.flush-interval=100ms", "management.endpoints.web.exposure.include=*",
                    "management.endpoint.health.show-details=always",
                    "management.endpoint.health.show-components=always", "spring.data.redis.connect-timeout=500ms")
            .properties(properties)
            .run();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
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
