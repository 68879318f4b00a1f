package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every bad core value fails start-up with one message naming the property, the value and
 * the fix.
 */
class ExporterPropertiesValidationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void startsWithTheDefaults() {
        this.contextRunner.run((context) -> assertThat(context).hasNotFailed());
    }

    @Test
    void failsWhenTheRedisPortIsOutOfRange() {
        assertFailure("exporter.redis.port=70000", "'70000'", "'exporter.redis.port'", "from 1 to 65535");
    }

    @Test
    void failsWhenTheRedisDbIsNegative() {
        assertFailure("exporter.redis.db=-1", "'-1'", "'exporter.redis.db'", "0 or more");
    }

    @Test
    void failsWhenTheTtlIsNegative() {
        assertFailure("exporter.redis.ttl-seconds=-5", "'-5'", "'exporter.redis.ttl-seconds'", "0 or more");
    }

    @Test
    void failsWhenTheKeyPrefixIsEmpty() {
        assertFailure("exporter.redis.key_prefix=", "'exporter.redis.key-prefix'", "must not be empty");
    }

    @Test
    void failsWhenTheMultiprocDirCannotBeCreated() throws IOException {
        Path file = Files.createFile(this.dir.resolve("a-file"));
        String dir = file.resolve("sub").toString();
        assertFailure("exporter.prometheus.multiproc_dir=" + dir, "'" + dir + "'",
                "'exporter.prometheus.multiproc-dir'", "cannot be created", "can create and write");
    }

    @Test
    void failsWhenTheMultiprocDirIsNotWritable() {
        assertFailure("exporter.prometheus.multiproc-dir=/proc/self", "'/proc/self'",
                "'exporter.prometheus.multiproc-dir'", "not writable");
    }

    @Test
    void createsTheMultiprocDirWhenItIsMissing() {
        Path dir = this.dir.resolve("a/b/c");
        this.contextRunner.withPropertyValues("exporter.prometheus.multiproc-dir=" + dir).run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(dir).isDirectory();
        });
    }

    @Test
    void failsWhenTheWorkerIdIsBlank() {
        assertFailure("exporter.worker.id=   ", "'exporter.worker.id'", "non-blank");
    }

    @Test
    void failsWhenABooleanIsNotABoolean() {
        this.contextRunner.withPropertyValues("exporter.redis.enabled=maybe").run((context) -> {
            String message = StartupFailures.message(context.getStartupFailure());
            assertThat(message).contains("'maybe'", "'exporter.redis.enabled'", "not a boolean",
                    "true, false, 1, 0, yes, no, on or off");
        });
    }

    @Test
    void failsWhenAPortIsNotANumberNamingTheOriginalsVariable() {
        Throwable failure = catchThrowable(
                () -> TestApplications.run(Map.of("PROMETHEUS_METRICS_PORT", "abc")).close());
        assertThat(StartupFailures.message(failure)).contains("'abc'", "'exporter.prometheus.metrics-port'",
                "PROMETHEUS_METRICS_PORT", "not a whole number", "such as 9091");
    }

    @Test
    void failsWhenADurationIsNotADuration() {
        this.contextRunner.withPropertyValues("exporter.gunicorn.timeout=soon").run((context) -> {
            String message = StartupFailures.message(context.getStartupFailure());
            assertThat(message).contains("'soon'", "'exporter.gunicorn.timeout'", "30s");
        });
    }

    @Test
    void acceptsEveryBooleanFormInAnyCase() {
        for (String value : new String[] { "true", "TRUE", "1", "yes", "On" }) {
            this.contextRunner.withPropertyValues("exporter.redis.ttl-disabled=" + value)
                .run((context) -> assertThat(context.getBean(ExporterProperties.class).getRedis().isTtlDisabled())
                    .as(value)
                    .isTrue());
        }
        for (String value : new String[] { "false", "False", "0", "no", "OFF" }) {
            this.contextRunner.withPropertyValues("exporter.redis.ttl-disabled=" + value)
                .run((context) -> assertThat(context.getBean(ExporterProperties.class).getRedis().isTtlDisabled())
                    .as(value)
                    .isFalse());
        }
    }

    @Test
    void failsWhenTheConfigFileIsMissingNamingTheFile() {
        Path file = this.dir.resolve("missing.yml");
        Throwable failure = catchThrowable(
                () -> TestApplications.run(Map.of("EXPORTER_CONFIG_FILE", file.toString())).close());
        assertThat(StartupFailures.message(failure)).contains(file.toString(), "file not found",
                "EXPORTER_CONFIG_FILE");
    }

    @Test
    void failsWhenTheConfigFileIsInvalidYamlNamingLineAndColumn() throws IOException {
        Path file = Files.writeString(this.dir.resolve("bad.yml"), "exporter:\n  prometheus: [\n");
        Throwable failure = catchThrowable(
                () -> TestApplications.run(Map.of("PROMETHEUS_CONFIG_FILE", file.toString())).close());
        assertThat(StartupFailures.message(failure)).contains(file.toString())
            .containsPattern("line \\d+, column \\d+");
    }

    @Test
    void aBadValueInTheConfigFileNamesTheFileLineAndColumn() throws IOException {
        Path file = Files.writeString(this.dir.resolve("exporter.yml"), "exporter:\n  redis:\n    enabled: maybe\n");
        Throwable failure = catchThrowable(
                () -> TestApplications.run(Map.of("EXPORTER_CONFIG_FILE", file.toString())).close());
        assertThat(StartupFailures.message(failure)).contains("'maybe'", "'exporter.redis.enabled'",
                file.getFileName().toString(), "3:14");
    }

    @Test
    void backsOffEntirelyWhenDisabled() {
        this.contextRunner.withPropertyValues("exporter.enabled=false", "exporter.redis.port=0")
            .run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ExporterProperties.class));
    }

    private void assertFailure(String property, String... expected) {
        this.contextRunner.withPropertyValues(property).run((context) -> {
            assertThat(context).hasFailed();
            assertThat(StartupFailures.message(context.getStartupFailure())).contains(expected);
        });
    }

}
