package io.github.workerexporter.reliability;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.github.workerexporter.environment.OriginalEnvironmentVariables;
import io.github.workerexporter.reliability.PropertyFuzzSupport.Case;
import io.github.workerexporter.reliability.PropertyFuzzSupport.Outcome;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code exporter.*} property of the configuration metadata and every environment
 * variable of the original, set to edge and random values, in a real application started
 * in-process: each start-up either succeeds with the value bound as written, or fails
 * with a failure analysis that names the property (never a failure without analysis),
 * leaving no port listening, no {@code exporter-*} thread and no child process. All
 * problems of a pass are reported together, each with its case; random cases come from a
 * seeded {@link Random} ({@code -Dfuzz.seed=...} to replay).
 *
 * @author Worker Exporter
 */
class PropertyFuzzTests {

    private static final long SEED = Long.getLong("fuzz.seed", 20261123L);

    private static final String LONG = "x".repeat(10_000);

    private static final String UNICODE = "w\u00f6rker-\ud83d\ude00-\u540d\u524d";

    /** Values for whole numbers. */
    private static final List<String> NUMBERS = List.of("", "-1", "0", "65536", "2147483648", "9223372036854775808",
            "1e309", "NaN", " 5 ", "${unresolvable}");

    /** Values for booleans. */
    private static final List<String> BOOLEANS = List.of("", "maybe", "on", "1", "-1", "null", "0", "YES",
            "${unresolvable}");

    /** Values for durations: a bare number is milliseconds, or seconds for some. */
    private static final List<String> DURATIONS = List.of("", "-1", "0", "2147483648", "9223372036854775807",
            "9223372036854775807s", "106751991167301d", "NaN", "-5s", "${unresolvable}");

    /** Values for strings, paths and addresses. */
    private static final List<String> STRINGS = List.of("", " ", "-1", "null", LONG, UNICODE, "a\nb", "${unresolvable}",
            "/nonexistent/worker-exporter/fuzz");

    /** Values for enumerations. */
    private static final List<String> ENUMS = List.of("", "null", "maybe", "WARN", "${unresolvable}", "0");

    /** Values for lists. */
    private static final List<String> LISTS = List.of("", "a,,b", "*", LONG, UNICODE, "${unresolvable}");

    /** For the quick pass of the normal build: the values that found problems first. */
    private static final Map<String, List<String>> QUICK = Map.of("number", List.of("2147483648"), "boolean",
            List.of("on", "maybe"), "duration", List.of("9223372036854775807s"), "string", List.of("a\nb"), "list",
            List.of(LONG), "enum", List.of("maybe"));

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = { "true", "on", "1", "YES" })
    void theOriginalsTrueSpellingsTurnRedisAndTheSidecarOnNotJustTheirProperties(String value) {
        List<String> problems = new ArrayList<>();
        Case fuzzCase = new Case(Map.of("exporter.enabled", value),
                Map.of("REDIS_ENABLED", value, "SIDECAR_MODE", value));
        Outcome outcome = new PropertyFuzzSupport(this.dir).run(fuzzCase, expectations(), problems);
        assertThat(problems).isEmpty();
        assertThat(outcome.started()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "maybe", "-1", "null", "${unresolvable}" })
    void aSwitchThatIsNotABooleanFailsStartUpNamingItInsteadOfTurningTheExporterOff(String value) {
        List<String> problems = new ArrayList<>();
        Outcome outcome = new PropertyFuzzSupport(this.dir).run(Case.property("exporter.enabled", value),
                expectations(), problems);
        assertThat(problems).isEmpty();
        assertThat(outcome.started()).isFalse();
        assertThat(outcome.analysis()).contains("'exporter.enabled'", "it is not a boolean", "yes, no, on or off");
    }

    @ParameterizedTest
    @ValueSource(
            strings = { "exporter.storage.retention", "exporter.sidecar.update-interval", "exporter.redis.timeout" })
    void aDurationTooLongToComputeWithFailsStartUpNamingIt(String property) {
        List<String> problems = new ArrayList<>();
        Outcome outcome = new PropertyFuzzSupport(this.dir)
            .run(propertyCase(property, "java.time.Duration", "9223372036854775807s"), expectations(), problems);
        assertThat(problems).isEmpty();
        assertThat(outcome.analysis()).contains("'" + property + "'", "too long", "at most 36500d");
    }

    @Test
    void anUnresolvablePlaceholderFailsStartUpNamingThePropertyOrVariable() {
        List<String> problems = new ArrayList<>();
        PropertyFuzzSupport support = new PropertyFuzzSupport(this.dir);
        String value = this.dir + "/${unresolvable}";
        Outcome property = support.run(Case.property("exporter.prometheus.multiproc-dir", value), expectations(),
                problems);
        Outcome variable = support.run(Case.variable("PROMETHEUS_MULTIPROC_DIR", value), expectations(), problems);
        assertThat(problems).isEmpty();
        assertThat(property.analysis()).contains("'exporter.prometheus.multiproc-dir'", "cannot be resolved");
        assertThat(variable.analysis()).contains("PROMETHEUS_MULTIPROC_DIR", "cannot be resolved");
    }

    @Test
    void everyPropertyStartsOrFailsWithAnAnalysisNamingItForEdgeValues() {
        List<String> problems = new ArrayList<>();
        PropertyFuzzSupport support = new PropertyFuzzSupport(this.dir);
        int cases = 0;
        for (Map.Entry<String, String> property : PropertyFuzzSupport.properties().entrySet()) {
            for (String value : values(property.getValue(), true)) {
                support.run(propertyCase(property.getKey(), property.getValue(), value), expectations(), problems);
                cases++;
            }
        }
        assertThat(cases).isGreaterThan(PropertyFuzzSupport.properties().size());
        assertThat(problems).as("problems in %d cases", cases).isEmpty();
    }

    @Test
    void everyOriginalEnvironmentVariableStartsOrFailsWithAnAnalysisNamingItForEdgeValues() {
        List<String> problems = new ArrayList<>();
        PropertyFuzzSupport support = new PropertyFuzzSupport(this.dir);
        int cases = 0;
        for (String variable : variables()) {
            for (String value : variableValues(variable, true)) {
                support.run(Case.variable(variable, value), expectations(), problems);
                cases++;
            }
        }
        assertThat(problems).as("problems in %d cases", cases).isEmpty();
    }

    @Test
    @Tag("reliability")
    void everyPropertyAndVariableStartsOrFailsWithAnAnalysisForEveryEdgeValue() {
        List<String> problems = new ArrayList<>();
        PropertyFuzzSupport support = new PropertyFuzzSupport(this.dir);
        for (Map.Entry<String, String> property : PropertyFuzzSupport.properties().entrySet()) {
            for (String value : values(property.getValue(), false)) {
                support.run(propertyCase(property.getKey(), property.getValue(), value), expectations(), problems);
            }
        }
        for (String variable : variables()) {
            for (String value : variableValues(variable, false)) {
                support.run(Case.variable(variable, value), expectations(), problems);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    @Tag("reliability")
    void randomCombinationsOfPropertiesAndVariablesStartOrFailWithAnAnalysis() {
        List<String> problems = new ArrayList<>();
        PropertyFuzzSupport support = new PropertyFuzzSupport(this.dir);
        Random random = new Random(SEED);
        List<Map.Entry<String, String>> properties = new ArrayList<>(PropertyFuzzSupport.properties().entrySet());
        List<String> variables = variables();
        int started = 0;
        int cases = 80;
        for (int i = 0; i < cases; i++) {
            Map<String, String> set = new LinkedHashMap<>();
            Map<String, String> env = new LinkedHashMap<>();
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                Map.Entry<String, String> property = properties.get(random.nextInt(properties.size()));
                Case one = propertyCase(property.getKey(), property.getValue(),
                        randomValue(property.getValue(), random));
                set.putAll(one.properties());
            }
            for (int n = random.nextInt(3); n > 0; n--) {
                String variable = variables.get(random.nextInt(variables.size()));
                env.put(variable, randomValue(variableType(variable), random));
            }
            if (support.run(new Case(set, env), expectations(), problems).started()) {
                started++;
            }
        }
        assertThat(problems).as("problems (seed %d)", SEED).isEmpty();
        assertThat(started).as("cases that started").isPositive().isLessThan(cases);
    }

    private Case propertyCase(String name, String type, String value) {
        if (type.startsWith("java.util.Map<")) {
            // A map binds its entries: fuzz the value of one entry.
            return Case.property(name + ".fuzz_gauge", value);
        }
        if (name.equals("exporter.prometheus.multiproc-dir") && !value.isBlank()) {
            // Created when missing: keep it in the test's directory.
            return Case.property(name, this.dir.resolve("mp").toString() + "/" + value);
        }
        Map<String, String> properties = new LinkedHashMap<>();
        if (name.startsWith("exporter.storage.") || name.startsWith("exporter.cleanup.")
                || name.startsWith("exporter.sidecar.")) {
            // Settings of the shared storage take effect with a shared directory only.
            properties.put("exporter.prometheus.multiproc-dir", this.dir.resolve("shared").toString());
        }
        if (name.equals("exporter.sidecar.update-interval")) {
            properties.put("exporter.sidecar.enabled", "true");
        }
        properties.put(name, value);
        return new Case(properties, Map.of());
    }

    private static List<String> values(String type, boolean quick) {
        String kind = switch (type) {
            case "java.lang.Integer", "java.lang.Long" -> "number";
            case "java.lang.Boolean" -> "boolean";
            case "java.time.Duration" -> "duration";
            case "java.lang.String" -> "string";
            case "java.util.List<java.lang.String>" -> "list";
            default -> "enum";
        };
        if (quick) {
            return QUICK.get(kind);
        }
        return switch (kind) {
            case "number" -> NUMBERS;
            case "boolean" -> BOOLEANS;
            case "duration" -> DURATIONS;
            case "string" -> STRINGS;
            case "list" -> LISTS;
            default -> ENUMS;
        };
    }

    private List<String> variableValues(String variable, boolean quick) {
        List<String> values = new ArrayList<>(values(variableType(variable), quick));
        if (variable.equals("PROMETHEUS_MULTIPROC_DIR")) {
            values.replaceAll((value) -> value.isBlank() ? value : this.dir.resolve("env-mp") + "/" + value);
        }
        return values;
    }

    private static String randomValue(String type, Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> values(type, false).get(random.nextInt(values(type, false).size()));
            case 1 -> Long.toString(random.nextLong() >> random.nextInt(64));
            case 2 -> randomText(random);
            default -> values(type, false).get(random.nextInt(values(type, false).size()))
                    + (random.nextBoolean() ? randomText(random) : "");
        };
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(40); i > 0; i--) {
            int kind = random.nextInt(10);
            if (kind < 6) {
                text.append((char) (0x20 + random.nextInt(0x5f)));
            }
            else if (kind < 8) {
                text.appendCodePoint(0xa0 + random.nextInt(0x2ff00));
            }
            else {
                String specials = "\n\t\r${}:,[]=\\\"'";
                text.append(specials.charAt(random.nextInt(specials.length())));
            }
        }
        return text.toString();
    }

    private static List<String> variables() {
        List<String> variables = new ArrayList<>(OriginalEnvironmentVariables.mapping().keySet());
        variables.addAll(OriginalEnvironmentVariables.CONFIG_FILE_VARIABLES);
        return variables;
    }

    private static String variableType(String variable) {
        List<String> properties = OriginalEnvironmentVariables.mapping()
            .getOrDefault(variable, List.of("exporter.config-file"));
        return PropertyFuzzSupport.properties().getOrDefault(properties.get(0), "java.lang.String");
    }

    private static Map<String, List<String>> expectations() {
        Map<String, List<String>> expectations = new LinkedHashMap<>(OriginalEnvironmentVariables.mapping());
        OriginalEnvironmentVariables.CONFIG_FILE_VARIABLES
            .forEach((variable) -> expectations.put(variable, List.of("exporter.config-file")));
        return expectations;
    }

}
