package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Precedence, highest first: command-line options, environment variables, the
 * configuration file, application.yml, defaults. One test per level, each with every
 * lower level set too.
 */
class ConfigurationPrecedenceTests {

    @TempDir
    Path dir;

    @Test
    void defaultsApplyWhenNothingIsSet() {
        assertThat(metricsPort(Map.of())).isEqualTo(9091);
    }

    @Test
    void applicationYmlOverridesTheDefaults() throws IOException {
        assertThat(metricsPort(Map.of(), applicationYml(9101))).isEqualTo(9101);
    }

    @Test
    void theConfigFileOverridesApplicationYml() throws IOException {
        Map<String, Object> env = Map.of("EXPORTER_CONFIG_FILE", configFile(9102).toString());
        assertThat(metricsPort(env, applicationYml(9101))).isEqualTo(9102);
    }

    @Test
    void theOriginalsEnvironmentVariableOverridesTheConfigFile() throws IOException {
        Map<String, Object> env = Map.of("EXPORTER_CONFIG_FILE", configFile(9102).toString(), "PROMETHEUS_METRICS_PORT",
                "9103");
        assertThat(metricsPort(env, applicationYml(9101))).isEqualTo(9103);
    }

    @Test
    void springsOwnEnvironmentVariableFormWorksAndWinsOverTheOriginalName() throws IOException {
        Map<String, Object> env = Map.of("PROMETHEUS_METRICS_PORT", "9103", "EXPORTER_PROMETHEUS_METRICSPORT", "9105");
        assertThat(metricsPort(env, applicationYml(9101))).isEqualTo(9105);
    }

    @Test
    void theCommandLineOverridesEnvironmentVariables() throws IOException {
        Map<String, Object> env = Map.of("EXPORTER_CONFIG_FILE", configFile(9102).toString(), "PROMETHEUS_METRICS_PORT",
                "9103");
        assertThat(metricsPort(env, applicationYml(9101), "--exporter.prometheus.metrics-port=9104")).isEqualTo(9104);
    }

    @Test
    void theOriginalsCommandLineOptionsOverrideEnvironmentVariablesInBothForms() throws IOException {
        Map<String, Object> env = Map.of("GUNICORN_WORKERS", "3", "GUNICORN_BIND", "127.0.0.1:7000");
        try (ConfigurableApplicationContext context = TestApplications.run(env, "--workers", "6",
                "--bind=127.0.0.1:7001", "--worker-class", "thread", "--timeout", "40", "--keepalive=4")) {
            ExporterProperties.Gunicorn gunicorn = context.getBean(ExporterProperties.class).getGunicorn();
            assertThat(gunicorn.getWorkers()).isEqualTo(6);
            assertThat(gunicorn.getBind()).isEqualTo("127.0.0.1:7001");
            assertThat(gunicorn.getWorkerClass()).isEqualTo("thread");
            assertThat(gunicorn.getTimeout()).hasSeconds(40);
            assertThat(gunicorn.getKeepalive()).hasSeconds(4);
        }
    }

    @Test
    void anOriginalCommandLineOptionWithoutAValueFailsStartUpWithOneMessage() {
        Throwable failure = org.assertj.core.api.Assertions
            .catchThrowable(() -> TestApplications.run(Map.of(), "--workers").close());
        assertThat(StartupFailures.message(failure)).contains("--workers", "needs a value", "'--workers 4'");
    }

    @Test
    void theOriginalsConfigFileVariableIsAcceptedToo() throws IOException {
        Map<String, Object> env = Map.of("PROMETHEUS_CONFIG_FILE", configFile(9102).toString());
        assertThat(metricsPort(env)).isEqualTo(9102);
    }

    @Test
    void theConfigFileCanBeNamedInApplicationYml() throws IOException {
        Path yml = this.dir.resolve("application.yml");
        Files.writeString(yml, "exporter:\n  config-file: " + configFile(9102) + "\n");
        assertThat(metricsPort(Map.of(), "--spring.config.location=file:" + yml)).isEqualTo(9102);
    }

    @Test
    void everyEnvironmentVariableOfTheOriginalBinds() {
        Map<String, Object> env = new HashMap<>();
        env.put("PROMETHEUS_METRICS_PORT", "9200");
        env.put("PROMETHEUS_BIND_ADDRESS", "127.0.0.2");
        env.put("PROMETHEUS_MULTIPROC_DIR", this.dir.resolve("mp").toString());
        env.put("PROMETHEUS_SSL_CLIENT_AUTH_REQUIRED", "yes");
        env.put("REDIS_ENABLED", "on");
        env.put("REDIS_HOST", "redis.internal");
        env.put("REDIS_PORT", "6380");
        env.put("REDIS_DB", "2");
        env.put("REDIS_PASSWORD", "s3cret");
        env.put("REDIS_KEY_PREFIX", "app:metrics");
        env.put("REDIS_TTL_SECONDS", "60");
        env.put("REDIS_TTL_DISABLED", "1");
        env.put("GUNICORN_TIMEOUT", "45");
        env.put("GUNICORN_KEEPALIVE", "7");
        env.put("GUNICORN_WORKER_CLASS", "thread");
        env.put("CLEANUP_DB_FILES", "off");
        try (ConfigurableApplicationContext context = TestApplications.run(env)) {
            ExporterProperties properties = context.getBean(ExporterProperties.class);
            assertThat(properties.getPrometheus().getMetricsPort()).isEqualTo(9200);
            assertThat(properties.getPrometheus().getBindAddress()).isEqualTo("127.0.0.2");
            assertThat(properties.getPrometheus().getMultiprocDir()).isEqualTo(this.dir.resolve("mp").toString());
            assertThat(properties.getSsl().getClientAuthRequired()).isTrue();
            assertThat(properties.getPrometheus().getSsl().getClientAuthRequired()).isTrue();
            assertThat(properties.getRedis().isEnabled()).isTrue();
            assertThat(properties.getRedis().getHost()).isEqualTo("redis.internal");
            assertThat(properties.getRedis().getPort()).isEqualTo(6380);
            assertThat(properties.getRedis().getDb()).isEqualTo(2);
            assertThat(properties.getRedis().getPassword()).isEqualTo("s3cret");
            assertThat(properties.getRedis().getKeyPrefix()).isEqualTo("app:metrics");
            assertThat(properties.getRedis().getTtlSeconds()).isEqualTo(60);
            assertThat(properties.getRedis().isTtlDisabled()).isTrue();
            assertThat(properties.getGunicorn().getTimeout()).hasSeconds(45);
            assertThat(properties.getGunicorn().getKeepalive()).hasSeconds(7);
            assertThat(properties.getGunicorn().getWorkerClass()).isEqualTo("thread");
            assertThat(properties.getCleanup().isDbFiles()).isFalse();
        }
    }

    @Test
    void turnsRedisHealthOffWhenNothingUsesRedis() {
        try (ConfigurableApplicationContext context = TestApplications.run(Map.of())) {
            assertThat(context.getEnvironment().getProperty("management.health.redis.enabled")).isEqualTo("false");
        }
    }

    @Test
    void turnsRedisHealthOffWhenTheExporterIsDisabledToo() {
        try (ConfigurableApplicationContext context = TestApplications.run(Map.of(), "--exporter.enabled=false")) {
            assertThat(context.getEnvironment().getProperty("management.health.redis.enabled")).isEqualTo("false");
        }
    }

    @Test
    void leavesRedisHealthAloneWhenTheApplicationOrTheExporterUsesRedis() {
        try (ConfigurableApplicationContext context = TestApplications.run(Map.of("SPRING_DATA_REDIS_HOST", "r1"))) {
            assertThat(context.getEnvironment().getProperty("management.health.redis.enabled")).isNull();
        }
        try (ConfigurableApplicationContext context = TestApplications.run(Map.of("REDIS_ENABLED", "true"))) {
            assertThat(context.getEnvironment().getProperty("management.health.redis.enabled")).isNull();
        }
    }

    @Test
    void anExplicitRedisHealthSettingWins() {
        try (ConfigurableApplicationContext context = TestApplications.run(Map.of(),
                "--management.health.redis.enabled=true")) {
            assertThat(context.getEnvironment().getProperty("management.health.redis.enabled")).isEqualTo("true");
        }
    }

    private int metricsPort(Map<String, Object> env, String... args) {
        try (ConfigurableApplicationContext context = TestApplications.run(env, args)) {
            return context.getBean(ExporterProperties.class).getPrometheus().getMetricsPort();
        }
    }

    private String applicationYml(int port) throws IOException {
        Path yml = this.dir.resolve("application.yml");
        Files.writeString(yml, "exporter:\n  prometheus:\n    metrics-port: " + port + "\n");
        return "--spring.config.location=file:" + yml;
    }

    private Path configFile(int port) throws IOException {
        Path file = this.dir.resolve("exporter.yml");
        Files.writeString(file,
                "exporter:\n  prometheus:\n    metrics_port: " + port + "\n    bind_address: 0.0.0.0\n");
        return file;
    }

}
