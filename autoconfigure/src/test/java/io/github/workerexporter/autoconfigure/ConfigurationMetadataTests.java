package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of the configuration metadata the build generates from {@link ExporterProperties}
 * and {@code additional-spring-configuration-metadata.json}: what an IDE shows for the
 * {@code exporter.*} keys.
 *
 * @author Worker Exporter
 */
class ConfigurationMetadataTests {

    private static final String METADATA = "META-INF/spring-configuration-metadata.json";

    private final Map<String, Object> metadata = read();

    @Test
    void everyExporterPropertyHasADescription() {
        List<Map<String, Object>> properties = exporterProperties();
        assertThat(properties).hasSizeGreaterThan(40);
        assertThat(properties).allSatisfy((property) -> assertThat((String) property.get("description"))
            .as("description of %s", property.get("name"))
            .isNotBlank());
    }

    @Test
    void theExporterGroupSaysSnakeCaseKeysBind() {
        assertThat(items("groups")).filteredOn((group) -> group.get("name").equals("exporter"))
            .singleElement()
            .satisfies((group) -> assertThat((String) group.get("description")).contains("snake_case")
                .contains("metrics_port"));
    }

    @Test
    void workerClassHasItsThreeValues() {
        assertThat(hintValues("exporter.gunicorn.worker-class")).containsExactly("sync", "thread", "virtual");
    }

    @Test
    void onBindFailureHasItsTwoValues() {
        assertThat(hintValues("exporter.prometheus.on-bind-failure")).containsExactly("fail", "warn");
    }

    @Test
    void gaugeModesHaveTheSevenMultiprocessModes() {
        assertThat(hintValues("exporter.storage.gauge-modes.values")).containsExactly("all", "liveall", "sum",
                "livesum", "max", "min", "mostrecent");
    }

    @Test
    void everyHintNamesAnExporterPropertyAndDescribesEachValue() {
        List<String> names = exporterProperties().stream().map((property) -> (String) property.get("name")).toList();
        assertThat(items("hints")).allSatisfy((hint) -> {
            String name = (String) hint.get("name");
            assertThat(names).contains(name.endsWith(".values") ? name.substring(0, name.length() - 7) : name);
            assertThat(values(hint)).allSatisfy((value) -> assertThat((String) value.get("description"))
                .as("description of %s=%s", name, value.get("value"))
                .isNotBlank());
        });
    }

    private List<Map<String, Object>> exporterProperties() {
        return items("properties").stream()
            .filter((property) -> ((String) property.get("name")).startsWith("exporter."))
            .toList();
    }

    private List<String> hintValues(String name) {
        Map<String, Object> hint = items("hints").stream()
            .filter((candidate) -> candidate.get("name").equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError("No hint for " + name));
        return values(hint).stream().map((value) -> (String) value.get("value")).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> values(Map<String, Object> hint) {
        return (List<Map<String, Object>>) hint.get("values");
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> items(String kind) {
        return (List<Map<String, Object>>) this.metadata.getOrDefault(kind, List.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read() {
        // This module's build output (target/classes), not the metadata of another jar.
        try {
            URI classes = ExporterProperties.class.getProtectionDomain().getCodeSource().getLocation().toURI();
            try (InputStream input = classes.resolve(METADATA).toURL().openStream()) {
                return JsonMapper.shared().readValue(input, Map.class);
            }
        }
        catch (IOException | URISyntaxException ex) {
            throw new IllegalStateException("Cannot read the generated " + METADATA, ex);
        }
    }

}
