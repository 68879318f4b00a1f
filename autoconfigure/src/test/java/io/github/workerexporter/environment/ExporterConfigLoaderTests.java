package io.github.workerexporter.environment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginTrackedValue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ExporterConfigLoaderTests {

    @TempDir
    Path dir;

    @Test
    void loadsTheOriginalsFileWithSnakeCaseKeys() throws IOException {
        Path file = write("""
                exporter:
                  prometheus:
                    metrics_port: 9092
                    bind_address: "127.0.0.1"
                    multiproc_dir: "/tmp/x"
                    ssl:
                      enabled: false
                  gunicorn:
                    workers: 4
                    timeout: 60
                  redis:
                    enabled: yes
                    key_prefix: "app:metrics"
                    password: ~
                  cleanup:
                    db_files: true
                """);
        Map<String, Object> properties = ExporterConfigLoader.loadYaml(file);
        assertThat(properties).containsOnlyKeys("exporter.prometheus.metrics_port", "exporter.prometheus.bind_address",
                "exporter.prometheus.multiproc_dir", "exporter.prometheus.ssl.enabled", "exporter.gunicorn.workers",
                "exporter.gunicorn.timeout", "exporter.redis.enabled", "exporter.redis.key_prefix",
                "exporter.cleanup.db_files");
        assertThat(value(properties, "exporter.prometheus.metrics_port")).isEqualTo("9092");
        assertThat(value(properties, "exporter.redis.enabled")).isEqualTo("yes");
        assertThat(value(properties, "exporter.redis.key_prefix")).isEqualTo("app:metrics");
    }

    @Test
    void keepsTheLineAndColumnOfEachValueAsItsOrigin() throws IOException {
        Path file = write("exporter:\n  prometheus:\n    metrics_port: 9092\n");
        Origin origin = ((OriginTrackedValue) ExporterConfigLoader.loadYaml(file)
            .get("exporter.prometheus.metrics_port")).getOrigin();
        assertThat(origin).hasToString(
                file.toUri().toString().replace("file:", "file [").replace("file [///", "file [/") + "] - 3:19");
    }

    @Test
    void appliesMergeKeysWithExplicitKeysWinning() throws IOException {
        Path file = write("""
                base: &base
                  workers: 2
                  timeout: 10
                exporter:
                  gunicorn:
                    <<: *base
                    timeout: 20
                """);
        Map<String, Object> properties = ExporterConfigLoader.loadYaml(file);
        assertThat(value(properties, "exporter.gunicorn.workers")).isEqualTo("2");
        assertThat(value(properties, "exporter.gunicorn.timeout")).isEqualTo("20");
    }

    @Test
    void failsForAMissingFile() {
        Path file = this.dir.resolve("absent.yml");
        assertThatExceptionOfType(ExporterConfigFileException.class)
            .isThrownBy(() -> ExporterConfigLoader.loadYaml(file))
            .satisfies((ex) -> assertThat(ex.getPath()).isEqualTo(file))
            .withMessageContaining(file.toString())
            .withMessageContaining("file not found");
    }

    @Test
    void failsForADirectory() {
        assertThatExceptionOfType(ExporterConfigFileException.class)
            .isThrownBy(() -> ExporterConfigLoader.loadYaml(this.dir))
            .withMessageContaining("not a regular file");
    }

    @Test
    void failsForInvalidYamlNamingLineAndColumn() throws IOException {
        Path file = write("exporter:\n  prometheus:\n    metrics_port: [9092\n  redis: {\n");
        assertThatExceptionOfType(ExporterConfigFileException.class)
            .isThrownBy(() -> ExporterConfigLoader.loadYaml(file))
            .satisfies((ex) -> assertThat(ex.getReason()).matches("invalid YAML at line \\d+, column \\d+: .+"));
    }

    @Test
    void failsWhenTheRootIsNotAMapping() throws IOException {
        Path file = write("- exporter\n- other\n");
        assertThatExceptionOfType(ExporterConfigFileException.class)
            .isThrownBy(() -> ExporterConfigLoader.loadYaml(file))
            .withMessageContaining("the root must be a mapping");
    }

    @Test
    void failsWithoutAnExporterSection() throws IOException {
        Path file = write("prometheus:\n  metrics_port: 9092\n");
        assertThatExceptionOfType(ExporterConfigFileException.class)
            .isThrownBy(() -> ExporterConfigLoader.loadYaml(file))
            .withMessageContaining("no 'exporter' section");
    }

    @Test
    void failsWhenTheExporterSectionIsNotAMapping() throws IOException {
        Path file = write("exporter: 42\n");
        assertThatExceptionOfType(ExporterConfigFileException.class)
            .isThrownBy(() -> ExporterConfigLoader.loadYaml(file))
            .withMessageContaining("'exporter' must be a mapping at line 1, column 11");
    }

    @Test
    void failsForAnEmptyFile() throws IOException {
        Path file = write("");
        assertThatExceptionOfType(ExporterConfigFileException.class)
            .isThrownBy(() -> ExporterConfigLoader.loadYaml(file))
            .withMessageContaining("empty");
    }

    @Test
    void refusesAliasesThatExpandWithoutBound() throws IOException {
        StringBuilder yaml = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        char previous = 'a';
        for (char name = 'b'; name <= 'j'; name++) {
            yaml.append(name).append(": &").append(name).append(" [");
            yaml.append(("*" + previous + ", ").repeat(9)).append('*').append(previous).append("]\n");
            previous = name;
        }
        yaml.append("exporter:\n  gunicorn:\n    workers: *j\n");
        Path file = write(yaml.toString());
        assertThatExceptionOfType(ExporterConfigFileException.class)
            .isThrownBy(() -> ExporterConfigLoader.loadYaml(file))
            .withMessageContaining("invalid YAML");
    }

    @Test
    void refusesDuplicateKeys() throws IOException {
        Path file = write("exporter:\n  gunicorn:\n    workers: 2\n    workers: 3\n");
        assertThatExceptionOfType(ExporterConfigFileException.class)
            .isThrownBy(() -> ExporterConfigLoader.loadYaml(file))
            .withMessageContaining("duplicate key");
    }

    private Path write(String content) throws IOException {
        Path file = Files.createTempFile(this.dir, "exporter", ".yml");
        Files.writeString(file, content);
        return file;
    }

    private static Object value(Map<String, Object> properties, String key) {
        return ((OriginTrackedValue) properties.get(key)).getValue();
    }

}
