package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.github.workerexporter.environment.CommandLineOptions;
import io.github.workerexporter.environment.OriginalEnvironmentVariables;

import org.springframework.boot.json.JsonParserFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration reference ({@code docs/configuration.md}) is generated from the
 * configuration metadata (the Javadoc of {@link ExporterProperties}), the original's
 * environment variables and its command-line options, so it never drifts: when they
 * change, this test fails and writes the new table to
 * {@code target/configuration-reference.md} to paste between the markers.
 */
class ConfigurationReferenceTests {

    private static final String START = "<!-- configuration-reference:start -->";

    private static final String END = "<!-- configuration-reference:end -->";

    private static final Path PAGE = Path.of("..", "docs", "configuration.md");

    private static final List<String> GUNICORN_OPTIONS = List.of("--workers", "--bind", "--worker-class", "--timeout",
            "--keepalive");

    @Test
    void theDocumentedTableIsTheOneGeneratedFromTheMetadata() throws IOException {
        String generated = table();
        Files.writeString(Path.of("target", "configuration-reference.md"), generated + "\n");
        String page = Files.readString(PAGE);
        assertThat(page).as(PAGE.toString()).contains(START, END);
        String documented = page.substring(page.indexOf(START) + START.length(), page.indexOf(END)).strip();
        assertThat(documented).as(PAGE + " table (regenerated in target/configuration-reference.md)")
            .isEqualTo(generated);
    }

    @Test
    void everyOriginalEnvironmentVariableAndOptionIsInTheTable() throws IOException {
        String generated = table();
        OriginalEnvironmentVariables.mapping().keySet().forEach((variable) -> assertThat(generated).contains(variable));
        GUNICORN_OPTIONS.forEach((option) -> assertThat(generated).contains("`" + option + "`"));
    }

    static String table() throws IOException {
        Map<String, List<String>> sources = sources();
        StringBuilder table = new StringBuilder("| Property | Original env var / option | Default | Meaning |\n");
        table.append("|---|---|---|---|\n");
        for (Map<String, Object> property : metadata()) {
            String name = (String) property.get("name");
            table.append("| `").append(name).append("` | ");
            table.append(sources.getOrDefault(name, List.of())
                .stream()
                .map((source) -> "`" + source + "`")
                .collect(Collectors.joining(", ")));
            table.append(" | ").append(defaultValue(property.get("defaultValue")));
            table.append(" | ").append(cell((String) property.get("description"))).append(" |\n");
        }
        return table.toString().strip();
    }

    private static Map<String, List<String>> sources() {
        Map<String, List<String>> sources = new LinkedHashMap<>();
        OriginalEnvironmentVariables.mapping()
            .forEach((variable, properties) -> properties
                .forEach((property) -> sources.computeIfAbsent(property, (key) -> new ArrayList<>()).add(variable)));
        sources.computeIfAbsent("exporter.config-file", (key) -> new ArrayList<>())
            .addAll(OriginalEnvironmentVariables.CONFIG_FILE_VARIABLES);
        for (String option : GUNICORN_OPTIONS) {
            CommandLineOptions.parse(new String[] { option + "=1" })
                .keySet()
                .forEach((property) -> sources.computeIfAbsent(property, (key) -> new ArrayList<>()).add(option));
        }
        return sources;
    }

    private static String defaultValue(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "" : "`" + list + "`";
        }
        return "`" + value.toString().toLowerCase() + "`";
    }

    private static String cell(String text) {
        return (text != null) ? text.replace("|", "\\|").replace("\n", " ") : "";
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> metadata() throws IOException {
        try (InputStream in = ConfigurationReferenceTests.class
            .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated configuration metadata").isNotNull();
            Map<String, Object> metadata = JsonParserFactory.getJsonParser()
                .parseMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return ((List<Map<String, Object>>) metadata.get("properties")).stream()
                .filter((property) -> ((String) property.get("name")).startsWith("exporter."))
                .sorted(Comparator.comparing((Map<String, Object> property) -> (String) property.get("name")))
                .toList();
        }
    }

}
