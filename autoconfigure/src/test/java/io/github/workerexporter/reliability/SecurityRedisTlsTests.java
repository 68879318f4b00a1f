package io.github.workerexporter.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;
import io.github.workerexporter.server.TestCertificates;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.redis.RedisEndpoint;
import io.github.workerexporter.storage.redis.RedisMetricStore;
import io.github.workerexporter.storage.redis.RedisServerSupport;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running application against a real Redis that listens only on a TLS port and knows
 * only ACL users ({@code default} is off): with the right user and password, and the test
 * CA trusted through a Spring Boot SSL bundle, the worker publishes its record; with a
 * wrong password, or a user without access to the exporter's keys, the application still
 * starts, logs the failed flush once at WARN (Redis's {@code WRONGPASS} or
 * {@code NOPERM}) however many flushes fail, and never prints a password.
 *
 * @author Worker Exporter
 */
@Tag("reliability")
@ExtendWith(OutputCaptureExtension.class)
class SecurityRedisTlsTests {

    private static final String USER = "exporter";

    private static final String PASSWORD = "acl-pw-" + UUID.randomUUID().toString().substring(0, 8);

    private static final String JAILED_USER = "jailed";

    private static final String FLUSH_FAILED = "Flush to redis storage failed";

    @TempDir
    static Path directory;

    private static RedisServerSupport server;

    private final String prefix = "tls-sec-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void startRedis() throws Exception {
        TestCertificates certificates = TestCertificates.create(directory);
        server = RedisServerSupport.startTls(certificates.serverCertificate(), certificates.serverKey(),
                certificates.ca(), "--user", "default", "off", "--user", USER, "on", ">" + PASSWORD, "~*", "&*",
                "+@all", "--user", JAILED_USER, "on", ">" + PASSWORD, "~other:*", "+@all");
    }

    @AfterAll
    static void stopRedis() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void publishesOverTlsWithAnAclUserAndPassword(CapturedOutput output) throws Exception {
        try (ConfigurableApplicationContext context = run(USER, PASSWORD, "tls-w1")) {
            List<String> workers = workers(true);
            assertThat(workers).contains("tls-w1");
            assertThat(context.getEnvironment().getProperty("local.exporter.metrics-port")).isNotNull();
        }
        assertThat(output.getAll()).doesNotContain(FLUSH_FAILED).doesNotContain(PASSWORD);
    }

    @Test
    void aWrongPasswordIsLoggedOnceWithoutAnyPassword(CapturedOutput output) throws Exception {
        String wrong = "wrong-pw-" + UUID.randomUUID().toString().substring(0, 8);
        try (ConfigurableApplicationContext context = run(USER, wrong, "tls-w2")) {
            assertThat(context.isActive()).as("start-up does not fail").isTrue();
            awaitRepeatedFailures(output);
            assertThat(count(output.getOut(), FLUSH_FAILED)).as("logged once").isOne();
            assertThat(output.getOut()).contains("WRONGPASS");
        }
        assertThat(workers(false)).doesNotContain("tls-w2");
        assertThat(output.getAll()).doesNotContain(wrong).doesNotContain(PASSWORD);
    }

    @Test
    void aUserWithoutAccessToTheKeysIsLoggedOnceWithoutThePassword(CapturedOutput output) throws Exception {
        try (ConfigurableApplicationContext context = run(JAILED_USER, PASSWORD, "tls-w3")) {
            assertThat(context.isActive()).as("start-up does not fail").isTrue();
            awaitRepeatedFailures(output);
            assertThat(count(output.getOut(), FLUSH_FAILED)).as("logged once").isOne();
            assertThat(output.getOut()).contains("NOPERM");
        }
        assertThat(workers(false)).doesNotContain("tls-w3");
        assertThat(output.getAll()).doesNotContain(PASSWORD);
    }

    /**
     * Wait for the first failed flush, then for at least ten more flush intervals.
     */
    private static void awaitRepeatedFailures(CapturedOutput output) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!output.getOut().contains(FLUSH_FAILED) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(output.getOut()).contains(FLUSH_FAILED);
        Thread.sleep(1500);
    }

    /**
     * The workers in the store, read over TLS with the exporter's ACL user.
     * @param await whether to wait until there is one: the worker of a running
     * application shows up within its first flushes
     */
    private List<String> workers(boolean await) throws Exception {
        SslBundle trust = SslBundle
            .of(new PemSslStoreBundle(null, PemSslStoreDetails.forCertificates("file:" + directory.resolve("ca.pem"))));
        try (RedisMetricStore store = RedisMetricStore.connect(
                new RedisEndpoint("127.0.0.1", server.port(), 0, USER, PASSWORD, true, Duration.ofSeconds(10)), trust,
                this.prefix, Duration.ofMinutes(5))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<String> workers = List.of();
            while (System.nanoTime() < deadline) {
                workers = store.readAll().stream().map(WorkerRecord::workerId).toList();
                if (!workers.isEmpty() || !await) {
                    return workers;
                }
                Thread.sleep(100);
            }
            return workers;
        }
    }

    private ConfigurableApplicationContext run(String user, String password, String workerId) {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
            .properties("spring.config.location=optional:classpath:/none/", "spring.main.banner-mode=off",
                    "exporter.prometheus.metrics-port=0", "exporter.prometheus.bind-address=127.0.0.1",
                    "exporter.worker.id=" + workerId, "exporter.storage.flush-interval=100ms",
                    "exporter.redis.enabled=true", "exporter.redis.host=127.0.0.1",
                    "exporter.redis.port=" + server.port(), "exporter.redis.username=" + user,
                    "exporter.redis.password=" + password, "exporter.redis.key-prefix=" + this.prefix,
                    "exporter.redis.timeout=5s", "exporter.redis.ssl-bundle=redis",
                    "spring.ssl.bundle.pem.redis.truststore.certificate=file:" + directory.resolve("ca.pem"))
            .run();
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int index = text.indexOf(part); index >= 0; index = text.indexOf(part, index + 1)) {
            count++;
        }
        return count;
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ SslAutoConfiguration.class, WorkerExporterAutoConfiguration.class })
    static class App {

        @Bean
        PrometheusRegistry prometheusRegistry() {
            return new PrometheusRegistry();
        }

    }

}
