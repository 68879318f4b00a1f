package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import javax.net.ssl.SSLException;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookManager;
import io.github.workerexporter.hooks.HookManager.NamedHook;
import io.github.workerexporter.hooks.HookPhase;
import io.github.workerexporter.server.MetricsServerLimits;
import io.github.workerexporter.server.MetricsServerManager;
import io.github.workerexporter.server.MetricsServerSettings;
import io.github.workerexporter.server.TestCertificates;
import io.github.workerexporter.testing.RawHttp;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MetricsServerConfiguration} and the validation of its properties.
 */
class MetricsServerConfigurationTests {

    @TempDir
    static Path directory;

    private static TestCertificates certificates;

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class))
        .withUserConfiguration(RegistryConfiguration.class);

    @BeforeAll
    static void createCertificates() throws Exception {
        certificates = TestCertificates.create(directory);
    }

    @Test
    void createsAManagerThatDoesNotListenBeforeTheApplicationIsReady() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(MetricsServerManager.class);
            assertThat(context.getBean(MetricsServerManager.class).isRunning()).isFalse();
        });
    }

    @Test
    void backsOffWithoutAPrometheusRegistry() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class))
            .run((context) -> assertThat(context).doesNotHaveBean(MetricsServerManager.class));
    }

    @Test
    void backsOffWhenTheUserDefinesAManager() {
        this.contextRunner.withUserConfiguration(UserManagerConfiguration.class)
            .run((context) -> assertThat(context).getBean(MetricsServerManager.class)
                .isSameAs(context.getBean("userManager")));
    }

    @Test
    void runsTheStartHookBeforeTheUsersHooks() {
        this.contextRunner.withUserConfiguration(UserHookConfiguration.class).run((context) -> {
            assertThat(context.getBean(HookManager.class).getHooks()).extracting(NamedHook::name)
                .containsSubsequence("metricsServerStartHook", "userHook");
        });
    }

    @Test
    void failsWhenTheTwoCertfilePropertiesDisagree() {
        this.contextRunner
            .withPropertyValues("exporter.ssl.certfile=" + certificates.serverCertificate(),
                    "exporter.prometheus.ssl.certfile=" + certificates.ca())
            .run((context) -> assertThat(invalidProperty(context).getMessage())
                .contains("exporter.prometheus.ssl.certfile", "exporter.ssl.certfile", certificates.ca().toString()));
    }

    @Test
    void requiresClientCertificatesConfiguredAcrossBothPlaces() {
        this.contextRunner
            .withPropertyValues("exporter.prometheus.bind-address=127.0.0.1", "exporter.prometheus.metrics-port=0",
                    "exporter.ssl.certfile=" + certificates.serverCertificate(),
                    "exporter.prometheus.ssl.certfile=" + certificates.serverCertificate(),
                    "exporter.prometheus.ssl.keyfile=" + certificates.serverKey(),
                    "exporter.ssl.client-cafile=" + certificates.ca(), "exporter.ssl.client-auth-required=true")
            .run((context) -> {
                MetricsServerManager manager = context.getBean(MetricsServerManager.class);
                assertThat(manager.start()).isTrue();
                assertThat(httpsStatus(manager.getPort(), true)).isEqualTo(200);
                assertThat(httpsStatus(manager.getPort(), false)).isEqualTo(RawHttp.CLOSED);
            });
    }

    @Test
    void failsWhenTlsIsEnabledAndTheKeyfileCannotBeRead() {
        this.contextRunner
            .withPropertyValues("exporter.ssl.enabled=true",
                    "exporter.ssl.certfile=" + certificates.serverCertificate(),
                    "exporter.ssl.keyfile=" + directory.resolve("missing.key"))
            .run((context) -> assertThat(invalidProperty(context)).satisfies((ex) -> {
                assertThat(ex.getProperty()).isEqualTo("exporter.ssl.keyfile");
                assertThat(ex.getValue()).isEqualTo(directory.resolve("missing.key").toString());
            }));
    }

    @Test
    void failsWhenClientAuthIsRequiredWithoutAClientCa() {
        this.contextRunner
            .withPropertyValues("exporter.ssl.certfile=" + certificates.serverCertificate(),
                    "exporter.ssl.keyfile=" + certificates.serverKey(), "exporter.ssl.client-auth-required=true")
            .run((context) -> assertThat(invalidProperty(context).getProperty())
                .isEqualTo("exporter.ssl.client-auth-required"));
    }

    @Test
    void failsWhenClientAuthIsRequiredWithoutTls() {
        this.contextRunner
            .withPropertyValues("exporter.prometheus.ssl.client-auth-required=true",
                    "exporter.ssl.client-cafile=" + certificates.ca())
            .run((context) -> assertThat(invalidProperty(context).getProperty())
                .isEqualTo("exporter.prometheus.ssl.client-auth-required"));
    }

    @Test
    void failsOnAPortOutOfRange() {
        this.contextRunner.withPropertyValues("exporter.prometheus.metrics-port=70000")
            .run((context) -> assertThat(invalidProperty(context)).satisfies((ex) -> {
                assertThat(ex.getProperty()).isEqualTo("exporter.prometheus.metrics-port");
                assertThat(ex.getValue()).isEqualTo(70000);
                assertThat(ex.getAction()).contains("0 for any free port");
            }));
    }

    @Test
    void failsOnABindAddressThatDoesNotResolve() {
        this.contextRunner.withPropertyValues("exporter.prometheus.bind-address=no-such-host.invalid")
            .run((context) -> assertThat(invalidProperty(context).getProperty())
                .isEqualTo("exporter.prometheus.bind-address"));
    }

    @Test
    void failsOnAMetricsPathWithoutLeadingSlash() {
        this.contextRunner.withPropertyValues("exporter.prometheus.metrics-path=metrics")
            .run((context) -> assertThat(invalidProperty(context).getProperty())
                .isEqualTo("exporter.prometheus.metrics-path"));
    }

    @Test
    void failsWhenAUserNameIsSetWithoutPassword() {
        this.contextRunner.withPropertyValues("exporter.prometheus.auth.username=prometheus")
            .run((context) -> assertThat(invalidProperty(context).getProperty())
                .isEqualTo("exporter.prometheus.auth.password"));
    }

    @Test
    void theLimitPropertiesDefaultToTheMetricsServersOwnDefaults() {
        this.contextRunner.run((context) -> assertThat(MetricsServerPropertiesValidator
            .limits(context.getBean(ExporterProperties.class).getPrometheus().getServer()))
            .isEqualTo(MetricsServerLimits.DEFAULTS));
    }

    @Test
    void bindsTheLimitsInSnakeCaseAsInTheOriginalsFiles() {
        this.contextRunner.withPropertyValues("exporter.prometheus.server.max_threads=3",
                "exporter.prometheus.server.max_queue_capacity=7", "exporter.prometheus.server.network_timeout=250ms")
            .run((context) -> assertThat(MetricsServerPropertiesValidator
                .limits(context.getBean(ExporterProperties.class).getPrometheus().getServer()))
                .isEqualTo(new MetricsServerLimits(3, 7, Duration.ofMillis(250))));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|',
            textBlock = """
                    max-threads        | 0                    | 0                    | less than 1 | a whole number from 1 to 1000, such as 32
                    max-threads        | -4                   | -4                   | less than 1 | a whole number from 1 to 1000, such as 32
                    max-threads        | 100000               | 100000               | too large   | a whole number from 1 to 1000, such as 32
                    max-queue-capacity | 0                    | 0                    | less than 1 | a whole number from 1 to 10000, such as 512
                    max-queue-capacity | 1000000              | 1000000              | too large   | a whole number from 1 to 10000, such as 512
                    network-timeout    | 0s                   | 0s                   | too short   | a duration from 100ms to 1h, such as 10s
                    network-timeout    | -5s                  | -5s                  | too short   | a duration from 100ms to 1h, such as 10s
                    network-timeout    | 50ms                 | 50ms                 | too short   | a duration from 100ms to 1h, such as 10s
                    network-timeout    | 2h                   | 7200s                | too long    | a duration from 100ms to 1h, such as 10s
                    network-timeout    | 9223372036854775807s | 9223372036854775807s | too long    | a duration from 100ms to 1h, such as 10s
                    """)
    void failsStartUpOnABadLimitWithOneMessageNamingThePropertyTheValueAndTheFix(String key, String value, String shown,
            String reason, String action) {
        String property = "exporter.prometheus.server." + key;
        this.contextRunner.withPropertyValues(property + "=" + value).run((context) -> {
            assertThat(invalidProperty(context).getProperty()).isEqualTo(property);
            assertThat(StartupFailures.message(context.getStartupFailure())).isEqualTo(
                    "Invalid value '%s' for property '%s': %s.\nSet '%s' to a valid value: %s.", shown, property,
                    reason, property, action);
        });
    }

    /**
     * The status of {@code GET /metrics} over TLS, or {@link RawHttp#CLOSED} when the
     * server gave no HTTP answer (the handshake failed, or it closed the connection).
     */
    private static int httpsStatus(int port, boolean withClientCertificate) throws IOException {
        try (RawHttp http = new RawHttp(port, certificates.clientContext(withClientCertificate))) {
            return http.send(RawHttp.request("GET", "/metrics")).status();
        }
        catch (SSLException ex) {
            return RawHttp.CLOSED;
        }
    }

    private static InvalidExporterPropertyException invalidProperty(AssertableApplicationContext context) {
        assertThat(context).hasFailed();
        for (Throwable ex = context.getStartupFailure(); ex != null; ex = ex.getCause()) {
            if (ex instanceof InvalidExporterPropertyException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("No InvalidExporterPropertyException in " + context.getStartupFailure());
    }

    @Configuration(proxyBeanMethods = false)
    static class RegistryConfiguration {

        @Bean
        PrometheusRegistry prometheusRegistry() {
            return new PrometheusRegistry();
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserManagerConfiguration {

        @Bean
        MetricsServerManager userManager(PrometheusRegistry registry) {
            return new MetricsServerManager(registry,
                    new MetricsServerSettings("127.0.0.1", 0, "/metrics", 1, Duration.ZERO, true, null, null));
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserHookConfiguration {

        @Bean
        ExporterHook userHook() {
            return ExporterHook.on(HookPhase.WHEN_READY, (context) -> {
            });
        }

    }

}
