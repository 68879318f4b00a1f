package io.github.workerexporter.environment;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
 * out, as the original leaves them unset. Aliases are limited, and so are the values a
 * file expands to, so a file cannot expand without bound; an alias to a mapping that
 * contains it is refused.
 *
 * @author Worker Exporter
 */
public final class ExporterConfigLoader {

    private static final int MAX_ALIASES = 50;

    private static final int MAX_DEPTH = 50;

    private static final int MAX_CODE_POINTS = 1024 * 1024;

    /** Bytes a file may have: the code points it may have, in UTF-8. */
    private static final long MAX_BYTES = 4L * MAX_CODE_POINTS;

    /** Values a file may expand to, through aliases too: far more than any real file. */
    private static final int MAX_VALUES = 10_000;

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
        checkSize(path);
        Node root = compose(path);
        if (!(root instanceof MappingNode mapping)) {
            throw new ExporterConfigFileException(path, "the root must be a mapping with the key 'exporter'");
        }
        List<NodeTuple> sections = mapping.getValue()
            .stream()
            .filter((tuple) -> "exporter".equals(scalar(tuple.getKeyNode())))
            .toList();
        if (sections.isEmpty()) {
            throw new ExporterConfigFileException(path, "no 'exporter' section at the root");
        }
        if (sections.size() > 1) {
            throw new ExporterConfigFileException(path,
                    "duplicate key 'exporter'" + at(sections.get(1).getKeyNode().getStartMark()));
        }
        Node exporter = sections.get(0).getValueNode();
        if (!(exporter instanceof MappingNode)) {
            throw new ExporterConfigFileException(path, "'exporter' must be a mapping" + at(exporter.getStartMark()));
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        new Flattener(path).flatten("exporter", exporter, properties, 0);
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

    private static void checkSize(Path path) {
        try {
            long size = Files.size(path);
            if (size > MAX_BYTES) {
                throw new ExporterConfigFileException(path, "the file has " + size + " bytes, more than the "
                        + MAX_BYTES + " a configuration file may have");
            }
        }
        catch (IOException ex) {
            throw new ExporterConfigFileException(path, "cannot be read: " + ex, ex);
        }
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
            if (ex.getCause() instanceof CharacterCodingException coding) {
                throw new ExporterConfigFileException(path,
                        "not UTF-8 text (a binary file, or another encoding): " + coding, ex);
            }
            throw new ExporterConfigFileException(path, "invalid YAML: " + ex.getMessage(), ex);
        }
        catch (CharacterCodingException ex) {
            throw new ExporterConfigFileException(path,
                    "not UTF-8 text (a binary file, or another encoding): " + ex.getMessage(), ex);
        }
        catch (IOException ex) {
            throw new ExporterConfigFileException(path, "cannot be read: " + ex, ex);
        }
    }

    /**
     * Flattens the {@code exporter} mapping into properties, refusing a recursive alias,
     * nesting deeper than the parser allows and more than {@value #MAX_VALUES} values.
     */
    private static final class Flattener {

        private final Path path;

        private final FileSystemResource file;

        private final Set<Node> ancestors = Collections.newSetFromMap(new IdentityHashMap<>());

        private int values;

        Flattener(Path path) {
            this.path = path;
            this.file = new FileSystemResource(path.toFile());
        }

        void flatten(String prefix, Node node, Map<String, Object> out, int depth) {
            if (depth > MAX_DEPTH) {
                throw new ExporterConfigFileException(this.path,
                        "'" + prefix + "' is nested more than " + MAX_DEPTH + " levels deep" + at(node.getStartMark()));
            }
            if (!this.ancestors.add(node)) {
                throw new ExporterConfigFileException(this.path, "an alias at '" + prefix
                        + "' refers to a mapping or list that contains it" + at(node.getStartMark()));
            }
            try {
                flattenNode(prefix, node, out, depth);
            }
            finally {
                this.ancestors.remove(node);
            }
        }

        private void flattenNode(String prefix, Node node, Map<String, Object> out, int depth) {
            if (node instanceof MappingNode mapping) {
                Set<String> seen = new HashSet<>();
                for (NodeTuple tuple : mapping.getValue()) {
                    String key = scalar(tuple.getKeyNode());
                    if (key != null && !seen.add(key)) {
                        throw new ExporterConfigFileException(this.path,
                                "duplicate key '" + prefix + "." + key + "'" + at(tuple.getKeyNode().getStartMark()));
                    }
                    if ("<<".equals(key)) {
                        flattenMerge(prefix, tuple.getValueNode(), out, depth);
                    }
                    else if (key != null) {
                        flatten(prefix + "." + key, tuple.getValueNode(), out, depth + 1);
                    }
                }
            }
            else if (node instanceof SequenceNode sequence) {
                for (int i = 0; i < sequence.getValue().size(); i++) {
                    flatten(prefix + "[" + i + "]", sequence.getValue().get(i), out, depth + 1);
                }
            }
            else if (node instanceof ScalarNode scalar && !Tag.NULL.equals(scalar.getTag())) {
                if (++this.values > MAX_VALUES) {
                    throw new ExporterConfigFileException(this.path, "expands to more than " + MAX_VALUES
                            + " values (through aliases?), far more than the exporter's settings");
                }
                Mark mark = scalar.getStartMark();
                Location location = new Location(mark.getLine(), mark.getColumn());
                out.put(prefix, OriginTrackedValue.of(scalar.getValue(), new TextResourceOrigin(this.file, location)));
            }
        }

        private void flattenMerge(String prefix, Node merged, Map<String, Object> out, int depth) {
            Map<String, Object> inherited = new LinkedHashMap<>();
            if (merged instanceof SequenceNode sequence) {
                sequence.getValue().forEach((node) -> flatten(prefix, node, inherited, depth + 1));
            }
            else {
                flatten(prefix, merged, inherited, depth + 1);
            }
            inherited.forEach(out::putIfAbsent);
        }

    }

    private static @Nullable String scalar(Node node) {
        return (node instanceof ScalarNode scalar) ? scalar.getValue() : null;
    }

    private static String at(@Nullable Mark mark) {
        return (mark != null) ? " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) : "";
    }

}
