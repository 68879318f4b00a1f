package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.json.JsonParserFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's configuration table documents every property of the generated metadata, so
 * the documentation cannot drift from the code.
 */
class ReadmeConfigurationTableTests {

    @Test
    void everyPropertyInTheMetadataIsInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<String> names = metadataPropertyNames();
        assertThat(names).isNotEmpty().allSatisfy((name) -> assertThat(documented(readme, name)).as(name).isTrue());
    }

    private static boolean documented(String readme, String name) {
        if (readme.contains("`" + name + "`")) {
            return true;
        }
        String group = name.substring(0, name.lastIndexOf('.'));
        return readme.contains("`" + group + ".*`");
    }

    @SuppressWarnings("unchecked")
    private static List<String> metadataPropertyNames() throws IOException {
        try (InputStream in = ReadmeConfigurationTableTests.class
            .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated configuration metadata").isNotNull();
            Map<String, Object> metadata = JsonParserFactory.getJsonParser()
                .parseMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            return ((List<Map<String, Object>>) metadata.get("properties")).stream()
                .map((property) -> (String) property.get("name"))
                .toList();
        }
    }

}
