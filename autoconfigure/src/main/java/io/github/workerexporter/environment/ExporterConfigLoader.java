package io.github.workerexporter.environment;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.boot.origin.TextResourceOrigin.Location;
import org.springframework.core.io.FileSystemResource;

/**
 * Loads a YAML file written for the original ({@code load_yaml_config(path)}): a mapping
 * whose root key is {@code exporter}, flattened into properties such as
 * {@code exporter.prometheus.metrics_port} that keep their line and column as origin.
 * Keys keep the original's snake_case, which Spring binds as it is. Null values are left
 * out, as the original leaves them unset. Aliases are limited, so a file cannot expand
 * without bound.
 *
 * @author Worker Exporter
 */
public final class ExporterConfigLoader {

    private static final int MAX_ALIASES = 50;

    private static final int MAX_DEPTH = 50;

    private static final int MAX_CODE_POINTS = 1024 * 1024;

    private ExporterConfigLoader() {
    }

    /**
     * Load a file into flat properties.
     * @param path the file
     * @return the properties, in file order, each an {@link OriginTrackedValue}
     * @throws ExporterConfigFileException when the file cannot be used
     */
    public static Map<String, Object> loadYaml(Path path) {
        if (!Files.exists(path)) {
            throw new ExporterConfigFileException(path, "file not found");
        }
        if (!Files.isRegularFile(path)) {
            throw new ExporterConfigFileException(path, "not a regular file");
        }
        Node root = compose(path);
        if (!(root instanceof MappingNode mapping)) {
            throw new ExporterConfigFileException(path, "the root must be a mapping with the key 'exporter'");
        }
        Node exporter = mapping.getValue()
            .stream()
            .filter((tuple) -> "exporter".equals(scalar(tuple.getKeyNode())))
            .map(NodeTuple::getValueNode)
            .findFirst()
            .orElseThrow(() -> new ExporterConfigFileException(path, "no 'exporter' section at the root"));
        if (!(exporter instanceof MappingNode)) {
            throw new ExporterConfigFileException(path, "'exporter' must be a mapping" + at(exporter.getStartMark()));
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        flatten(new FileSystemResource(path.toFile()), "exporter", exporter, properties);
        return properties;
    }

    /**
     * Load a file as a property source.
     * @param name the name of the property source
     * @param path the file
     * @return the property source
     * @throws ExporterConfigFileException when the file cannot be used
     */
    public static OriginTrackedMapPropertySource propertySource(String name, Path path) {
        return new OriginTrackedMapPropertySource(name, loadYaml(path), true);
    }

    private static Node compose(Path path) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setAllowDuplicateKeys(false);
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            Node node = new Yaml(options).compose(reader);
            if (node == null) {
                throw new ExporterConfigFileException(path, "the file is empty");
            }
            return node;
        }
        catch (MarkedYAMLException ex) {
            Mark mark = (ex.getProblemMark() != null) ? ex.getProblemMark() : ex.getContextMark();
            // Not the cause: SnakeYAML's message quotes the offending line, which may
            // hold a password.
            throw new ExporterConfigFileException(path, "invalid YAML" + at(mark) + ": " + ex.getProblem(), null);
        }
        catch (YAMLException ex) {
            throw new ExporterConfigFileException(path, "invalid YAML: " + ex.getMessage(), ex);
        }
        catch (IOException ex) {
            throw new ExporterConfigFileException(path, "cannot be read: " + ex, ex);
        }
    }

    private static void flatten(FileSystemResource file, String prefix, Node node, Map<String, Object> out) {
        if (node instanceof MappingNode mapping) {
            Set<String> seen = new HashSet<>();
            for (NodeTuple tuple : mapping.getValue()) {
                String key = scalar(tuple.getKeyNode());
                if (key != null && !seen.add(key)) {
                    throw new ExporterConfigFileException(file.getFile().toPath(),
                            "duplicate key '" + prefix + "." + key + "'" + at(tuple.getKeyNode().getStartMark()));
                }
                if ("<<".equals(key)) {
                    flattenMerge(file, prefix, tuple.getValueNode(), out);
                }
                else if (key != null) {
                    flatten(file, prefix + "." + key, tuple.getValueNode(), out);
                }
            }
        }
        else if (node instanceof SequenceNode sequence) {
            for (int i = 0; i < sequence.getValue().size(); i++) {
                flatten(file, prefix + "[" + i + "]", sequence.getValue().get(i), out);
            }
        }
        else if (node instanceof ScalarNode scalar && !Tag.NULL.equals(scalar.getTag())) {
            Mark mark = scalar.getStartMark();
            Location location = new Location(mark.getLine(), mark.getColumn());
            out.put(prefix, OriginTrackedValue.of(scalar.getValue(), new TextResourceOrigin(file, location)));
        }
    }

    private static void flattenMerge(FileSystemResource file, String prefix, Node merged, Map<String, Object> out) {
        Map<String, Object> inherited = new LinkedHashMap<>();
        if (merged instanceof SequenceNode sequence) {
            sequence.getValue().forEach((node) -> flatten(file, prefix, node, inherited));
        }
        else {
            flatten(file, prefix, merged, inherited);
        }
        inherited.forEach(out::putIfAbsent);
    }

    private static @Nullable String scalar(Node node) {
        return (node instanceof ScalarNode scalar) ? scalar.getValue() : null;
    }

    private static String at(@Nullable Mark mark) {
        return (mark != null) ? " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) : "";
    }

}
