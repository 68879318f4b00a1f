package io.github.workerexporter.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import io.github.workerexporter.reliability.PropertyFuzzSupport.Case;
import io.github.workerexporter.reliability.PropertyFuzzSupport.Outcome;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed configuration files named by {@code EXPORTER_CONFIG_FILE}, each loaded by a
 * real application started in-process: deep nesting, huge values and files, aliases that
 * expand (billion laughs) or refer to themselves, duplicate keys, binary garbage, other
 * encodings, wrong types and Java type tags. Each must fail start-up with one analysis
 * that names the file and the fix, leaving nothing listening or running; none may hang,
 * exhaust the heap or overflow the stack.
 *
 * @author Worker Exporter
 */
class ConfigFileFuzzTests {

    private static final long SEED = Long.getLong("fuzz.seed", 20261123L);

    /** Characters that change the structure of YAML, and two that are not UTF-8 here. */
    private static final String MUTATIONS = "&*!|>[]{}:,-#'\"\t\n x0\u00ff\u0080";

    private static final String VALID = "exporter:\n  prometheus:\n    metrics_port: 9092\n";

    @TempDir
    Path dir;

    static Stream<Arguments> malformedFiles() {
        return Stream.of(row("block mappings nested 200 deep", nested(200), "invalid YAML"),
                row("flow sequences nested 100,000 deep",
                        "exporter: {a: " + "[".repeat(100_000) + "]".repeat(100_000) + "}\n", "invalid YAML"),
                row("a 2 MiB value", "exporter:\n  worker:\n    id: " + "x".repeat(2 * 1024 * 1024) + "\n",
                        "exceeds the limit"),
                row("billion laughs: 10 levels of 10 aliases", laughs(10, 10), "invalid YAML"),
                row("billion laughs within the alias limit: 24 levels of 2 aliases", laughs(24, 2),
                        "expands to more than"),
                row("an alias to the mapping that contains it", "exporter: &e\n  prometheus: *e\n",
                        "refers to a mapping or list that contains it"),
                row("a merge key of the mapping that contains it", "exporter: &e\n  gunicorn:\n    <<: *e\n",
                        "refers to a mapping or list that contains it"),
                row("a duplicate key", "exporter:\n  gunicorn:\n    workers: 2\n    workers: 3\n", "duplicate key"),
                row("a duplicate exporter section", VALID + VALID, "duplicate key"),
                row("a NUL character", "exporter:\n  worker:\n    id: a\u0000b\n", "invalid YAML"),
                row("two documents", VALID + "---\n" + VALID, "invalid YAML"),
                row("tab indentation", "exporter:\n\tprometheus:\n\t\tmetrics_port: 9092\n", "invalid YAML"),
                row("a list as the exporter section", "exporter: [1, 2]\n", "'exporter' must be a mapping"),
                row("a number as the exporter section", "exporter: 5\n", "'exporter' must be a mapping"),
                row("a list as the root", "- exporter\n", "the root must be a mapping"),
                row("no exporter section", "prometheus:\n  metrics_port: 9092\n", "no 'exporter' section"),
                row("only comments", "# exporter:\n#   prometheus: {}\n", "the file is empty"),
                row("an empty file", "", "the file is empty"),
                row("a list where one value is expected", "exporter:\n  prometheus:\n    metrics_port: [9092, 9093]\n",
                        "'exporter.prometheus.metrics_port' takes one value"),
                row("a mapping where one value is expected",
                        "exporter:\n  gunicorn:\n    timeout:\n      seconds: 30\n",
                        "'exporter.gunicorn.timeout' takes one value"),
                row("Java type tags (never constructed)",
                        "exporter:\n  worker:\n    id: !!javax.script.ScriptEngineManager "
                                + "[!!java.net.URLClassLoader [[!!java.net.URL [\"http://127.0.0.1:1/\"]]]]\n",
                        "Global tag is not allowed"),
                row("a number for a section", "exporter:\n  prometheus: 5\n",
                        "'exporter.prometheus' is a section (a mapping), not one value"),
                row("a value for a map", "exporter:\n  storage:\n    gauge_modes: max\n",
                        "'exporter.storage.gauge_modes' is a section (a mapping), not one value"));
    }

    /**
     * Wrong types of a scalar: the bind failure names the file and line as the origin.
     */
    static Stream<Arguments> wrongTypes() {
        return Stream.of(row("text for a port", "exporter:\n  prometheus:\n    metrics_port: abc\n", "whole number"),
                row("a fraction for a count", "exporter:\n  gunicorn:\n    workers: 1.5\n", "whole number"),
                row("maybe for a boolean", "exporter:\n  redis:\n    enabled: maybe\n", "boolean"),
                row("a negative port", "exporter:\n  prometheus:\n    metrics_port: -1\n", "from 1 to 65535"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void failsStartUpNamingTheFileAndTheFixForAMalformedFile(String name, byte[] content, String reason)
            throws IOException {
        Path file = Files.write(this.dir.resolve("exporter.yml"), content);
        assertFailsNaming(file, reason, "exporter.config-file");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongTypes")
    void failsStartUpNamingTheFileAndTheLineForAValueOfTheWrongType(String name, byte[] content, String reason)
            throws IOException {
        Path file = Files.write(this.dir.resolve("exporter.yml"), content);
        assertFailsNaming(file, reason, " - 3:");
    }

    @Test
    void failsStartUpNamingTheFileForA20MibFile() throws IOException {
        Path file = this.dir.resolve("huge.yml");
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write("exporter:\n  prometheus:\n    metrics_port: 9092\n".getBytes(StandardCharsets.UTF_8));
            byte[] comment = ("# " + "c".repeat(1021) + "\n").getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 20 * 1024; i++) {
                out.write(comment);
            }
        }
        assertFailsNaming(file, "more than the 4194304", "exporter.config-file");
    }

    @Test
    void failsStartUpNamingTheFileForBinaryGarbage() throws IOException {
        Random random = new Random(SEED);
        for (int i = 0; i < 5; i++) {
            byte[] garbage = new byte[1 + random.nextInt(64 * 1024)];
            random.nextBytes(garbage);
            garbage[0] = (byte) 0xFF;
            Path file = Files.write(this.dir.resolve("garbage-" + i + ".yml"), garbage);
            assertFailsNaming(file, "not UTF-8 text", "exporter.config-file");
        }
    }

    @Test
    void failsStartUpNamingTheFileForUtf16() throws IOException {
        Path file = Files.write(this.dir.resolve("utf16.yml"), ("\ufeff" + VALID).getBytes(StandardCharsets.UTF_16LE));
        assertFailsNaming(file, "not UTF-8 text", "exporter.config-file");
    }

    @Test
    void failsStartUpNamingTheFileForADeviceThatNeverEnds() {
        assertFailsNaming(Path.of("/dev/zero"), "not a regular file", "exporter.config-file");
    }

    @Test
    void failsStartUpNamingThePropertyForAPathWithANulCharacter() {
        Outcome outcome = run(Case.property("exporter.config-file", this.dir + "/a\u0000b.yml"));
        assertThat(outcome.analysis()).contains("exporter.config-file", "not a valid path");
    }

    @Test
    void startsWithAValidFileInTheSameRun() throws IOException {
        Path file = Files.writeString(this.dir.resolve("valid.yml"), VALID);
        List<String> problems = new ArrayList<>();
        Outcome outcome = new PropertyFuzzSupport(this.dir).run(Case.variable("EXPORTER_CONFIG_FILE", file.toString()),
                Map.of(), problems);
        assertThat(problems).isEmpty();
        assertThat(outcome.started()).isTrue();
    }

    @Tag("reliability")
    @Test
    void randomMutationsOfAValidFileStartOrFailNamingTheFile() throws IOException {
        Random random = new Random(SEED);
        String base = "exporter:\n  prometheus:\n    metrics_port: 0\n    bind_address: 127.0.0.1\n"
                + "  gunicorn:\n    workers: 4\n    timeout: 30\n  storage:\n    include: [a, b]\n"
                + "    gauge_modes:\n      g: max\n  redis:\n    key_prefix: app\n";
        List<String> problems = new ArrayList<>();
        PropertyFuzzSupport support = new PropertyFuzzSupport(this.dir);
        for (int i = 0; i < 60; i++) {
            byte[] bytes = base.getBytes(StandardCharsets.UTF_8);
            for (int n = 1 + random.nextInt(4); n > 0; n--) {
                int at = random.nextInt(bytes.length);
                bytes[at] = (byte) MUTATIONS.charAt(random.nextInt(MUTATIONS.length()));
            }
            Path file = Files.write(this.dir.resolve("mutated-" + i + ".yml"), bytes);
            Outcome outcome = support.run(Case.variable("EXPORTER_CONFIG_FILE", file.toString()), Map.of(), problems);
            if (!outcome.started() && outcome.analysis() != null && !outcome.analysis().contains(file.toString())) {
                problems.add(file + ": the analysis does not name the file: " + outcome.analysis());
            }
        }
        assertThat(problems).as("seed %d", SEED).isEmpty();
    }

    private void assertFailsNaming(Path file, String reason, String fix) {
        Outcome outcome = run(Case.variable("EXPORTER_CONFIG_FILE", file.toString()));
        assertThat(outcome.started()).as("started").isFalse();
        assertThat(outcome.analysis()).contains(file.toString(), reason, fix);
    }

    private Outcome run(Case fuzzCase) {
        List<String> problems = new ArrayList<>();
        Outcome outcome = new PropertyFuzzSupport(this.dir).run(fuzzCase, Map.of(), problems);
        assertThat(problems).isEmpty();
        return outcome;
    }

    private static Arguments row(String name, String content, String reason) {
        return Arguments.of(name, content.getBytes(StandardCharsets.UTF_8), reason);
    }

    private static String nested(int depth) {
        StringBuilder yaml = new StringBuilder("exporter:\n");
        for (int i = 1; i <= depth; i++) {
            yaml.append("  ".repeat(i)).append("a:\n");
        }
        return yaml.append("  ".repeat(depth + 1)).append("b: 1\n").toString();
    }

    /** Each level a list of {@code width} aliases of the previous level. */
    private static String laughs(int levels, int width) {
        StringBuilder yaml = new StringBuilder("l0: &l0 [" + "x, ".repeat(width - 1) + "x]\n");
        for (int level = 1; level <= levels; level++) {
            yaml.append("l").append(level).append(": &l").append(level).append(" [");
            yaml.append(("*l" + (level - 1) + ", ").repeat(width - 1)).append("*l").append(level - 1).append("]\n");
        }
        return yaml.append("exporter:\n  storage:\n    include: *l").append(levels).append('\n').toString();
    }

}
