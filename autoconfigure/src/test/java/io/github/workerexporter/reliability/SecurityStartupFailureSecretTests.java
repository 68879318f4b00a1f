package io.github.workerexporter.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.autoconfigure.StartupFailures;
import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;
import io.github.workerexporter.server.TestCertificates;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Start-up failures never show a secret. Each application is started with a Redis
 * password and a basic-auth password, then fails on a bad value: a broken TLS key file, a
 * configuration file that is not valid YAML on the line of the password, a password
 * without its user name, a bad port or timeout. The secrets, and the private key's
 * material, appear neither in the failure analysis a user reads, nor in any message of
 * the exception chain, nor in anything the application printed. Before the fixes a key
 * file that lost its {@code BEGIN} line, or was cut short, had its content quoted in the
 * failure analysis (Spring Boot took it for a file name), and SnakeYAML's message, kept
 * as the cause, quoted the line of the password.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class SecurityStartupFailureSecretTests {

    private static final String REDIS_SECRET = "redis-pw-" + UUID.randomUUID().toString().substring(0, 8);

    private static final String AUTH_SECRET = "scrape-pw-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    static Path directory;

    private static TestCertificates certificates;

    private static List<String> keyMaterial;

    @BeforeAll
    static void createCertificates() throws Exception {
        certificates = TestCertificates.create(directory);
        keyMaterial = Files.readAllLines(certificates.serverKey())
            .stream()
            .filter((line) -> !line.startsWith("-----") && line.length() > 16)
            .toList();
        assertThat(keyMaterial).isNotEmpty();
    }

    @Test
    void aKeyFileWithoutItsBeginLineIsRefusedWithoutShowingTheKey(CapturedOutput output) throws Exception {
        Path keyfile = directory.resolve("no-begin.key");
        Files.write(keyfile,
                Files.readAllLines(certificates.serverKey())
                    .stream()
                    .filter((line) -> !line.startsWith("-----BEGIN"))
                    .toList());
        FailureAnalysis analysis = failTls(certificates.serverCertificate(), keyfile, output);
        assertThat(analysis.getDescription()).contains("'exporter.ssl.certfile'").contains(keyfile.toString());
    }

    @Test
    void aKeyFileCutShortIsRefusedWithoutShowingTheKey(CapturedOutput output) throws Exception {
        Path keyfile = directory.resolve("cut-short.key");
        String key = Files.readString(certificates.serverKey());
        Files.writeString(keyfile, key.substring(0, key.indexOf("-----END")));
        FailureAnalysis analysis = failTls(certificates.serverCertificate(), keyfile, output);
        assertThat(analysis.getDescription()).contains(keyfile.toString()).contains("no complete PEM block");
    }

    @Test
    void aKeyGivenAsTheCertificateIsRefusedWithoutShowingTheKey(CapturedOutput output) throws Exception {
        failTls(certificates.serverKey(), certificates.serverKey(), output);
    }

    @Test
    void aConfigurationFileThatIsNotYamlOnThePasswordLineDoesNotShowIt(CapturedOutput output) throws Exception {
        Path file = directory.resolve("broken.yml");
        Files.writeString(file, """
                exporter:
                  redis:
                    enabled: true
                    password: %s: not yaml
                  prometheus:
                    metrics_port: 0
                """.formatted(REDIS_SECRET));
        FailureAnalysis analysis = fail(output, "exporter.config-file=" + file);
        assertThat(analysis.getDescription()).contains(file.toString()).contains("invalid YAML at line");
    }

    @Test
    void aConfigurationFileWithTheSecretTwiceDoesNotShowIt(CapturedOutput output) throws Exception {
        Path file = directory.resolve("duplicate.yml");
        Files.writeString(file, """
                exporter:
                  redis:
                    password: %s
                    password: %s
                """.formatted(REDIS_SECRET, AUTH_SECRET));
        FailureAnalysis analysis = fail(output, "exporter.config-file=" + file);
        assertThat(analysis.getDescription()).contains("duplicate key 'exporter.redis.password'");
    }

    @Test
    void aPasswordWithoutItsUserNameFailsWithoutShowingIt(CapturedOutput output) throws Exception {
        FailureAnalysis analysis = fail(output, "exporter.prometheus.auth.username=");
        assertThat(analysis.getDescription()).contains("'exporter.prometheus.auth.username'");
    }

    @Test
    void aBadRedisPortFailsWithoutShowingThePasswords(CapturedOutput output) throws Exception {
        FailureAnalysis analysis = fail(output, "exporter.redis.port=not-a-port");
        assertThat(analysis.getDescription()).contains("'not-a-port'").contains("exporter.redis.port");
    }

    @Test
    void aBadRedisTimeoutFailsWithoutShowingThePasswords(CapturedOutput output) throws Exception {
        FailureAnalysis analysis = fail(output, "exporter.redis.timeout=0s");
        assertThat(analysis.getDescription()).contains("exporter.redis.timeout");
    }

    @Test
    void aBadMetricsPortFailsWithoutShowingThePasswords(CapturedOutput output) throws Exception {
        FailureAnalysis analysis = fail(output, "exporter.prometheus.metrics-port=99999");
        assertThat(analysis.getDescription()).contains("exporter.prometheus.metrics-port");
    }

    private FailureAnalysis failTls(Path certfile, Path keyfile, CapturedOutput output) throws Exception {
        return fail(output, "exporter.ssl.certfile=" + certfile, "exporter.ssl.keyfile=" + keyfile);
    }

    /**
     * Start an application with both passwords and the given properties, expect it to
     * fail, and check that no secret was shown anywhere.
     */
    private FailureAnalysis fail(CapturedOutput output, String... properties) {
        Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
            .properties("spring.config.location=optional:classpath:/none/", "spring.main.banner-mode=off",
                    "exporter.prometheus.metrics-port=0", "exporter.prometheus.bind-address=127.0.0.1",
                    "exporter.redis.password=" + REDIS_SECRET, "exporter.prometheus.auth.username=scraper",
                    "exporter.prometheus.auth.password=" + AUTH_SECRET)
            .properties(properties)
            .run()
            .close());
        assertThat(failure).as("start-up fails").isNotNull();
        FailureAnalysis analysis = StartupFailures.analyze(failure);
        List<String> shown = new ArrayList<>();
        shown.add(analysis.getDescription());
        shown.add(analysis.getAction());
        shown.add(output.getAll());
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            shown.add(cause.toString());
            for (Throwable suppressed : cause.getSuppressed()) {
                shown.add(suppressed.toString());
            }
        }
        for (String text : shown) {
            assertThat(text).doesNotContain(REDIS_SECRET).doesNotContain(AUTH_SECRET);
            for (String line : keyMaterial) {
                assertThat(text).doesNotContain(line);
            }
        }
        return analysis;
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(WorkerExporterAutoConfiguration.class)
    static class App {

        @Bean
        PrometheusRegistry prometheusRegistry() {
            return new PrometheusRegistry();
        }

    }

}
