package io.github.workerexporter.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package rules of the README's code layout, as Spring Boot's
 * {@code ArchitectureRules}: a plain scan of the main sources for references to the
 * project's packages (imports and qualified names, comments left out), one edge per
 * referring package and referred package.
 *
 * @author Worker Exporter
 */
class ArchitectureTests {

    private static final String BASE = "io.github.workerexporter";

    private static final Pattern REFERENCE = Pattern
        .compile("\\bio\\.github\\.workerexporter\\.([a-z][a-z0-9.]*?)\\.[A-Z]");

    private static Map<String, Set<String>> dependencies;

    @BeforeAll
    static void scan() {
        dependencies = scan(Path.of("src/main/java").resolve(BASE.replace('.', '/')));
    }

    @Test
    void theScanSeesTheKnownDependencies() {
        assertThat(dependencies.get("autoconfigure")).contains("storage", "merge", "metrics");
        assertThat(dependencies.get("merge")).contains("storage");
    }

    @Test
    void runtimePackagesDoNotDependOnAutoconfigure() {
        Map<String, Set<String>> violations = violations((from) -> !from.equals("autoconfigure"),
                (to) -> to.equals("autoconfigure"));
        assertThat(violations).isEmpty();
    }

    @Test
    void theStorageSpiAndStoresDoNotDependOnTheMasterViewTheFlusherOrTheSidecar() {
        Map<String, Set<String>> violations = violations((from) -> isIn(from, "storage"),
                (to) -> isIn(to, "merge") || isIn(to, "publish") || isIn(to, "sidecar"));
        assertThat(violations).isEmpty();
    }

    @Test
    void theStorageSpiDoesNotDependOnTheMasterViewTheFlusherOrTheSidecar() {
        Map<String, Set<String>> violations = violations((from) -> from.equals("storage"),
                (to) -> isIn(to, "merge") || isIn(to, "publish") || isIn(to, "sidecar"));
        assertThat(violations).isEmpty();
    }

    @Test
    void packagesFormNoCycle() {
        assertThat(cycles(dependencies)).isEmpty();
    }

    @Test
    void aCycleIsFound() {
        Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertThat(cycles(graph)).containsExactly(List.of("a", "b", "c", "a"));
        assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of()))).isEmpty();
    }

    private static boolean isIn(String pkg, String parent) {
        return pkg.equals(parent) || pkg.startsWith(parent + ".");
    }

    private static Map<String, Set<String>> violations(Predicate<String> from, Predicate<String> to) {
        Map<String, Set<String>> violations = new TreeMap<>();
        dependencies.forEach((source, targets) -> {
            if (from.test(source)) {
                targets.stream()
                    .filter(to)
                    .forEach((target) -> violations.computeIfAbsent(source, (key) -> new TreeSet<>()).add(target));
            }
        });
        return violations;
    }

    /**
     * Every cycle found by a depth-first search, each as the path that closes it.
     */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        List<List<String>> cycles = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        for (String start : new TreeSet<>(graph.keySet())) {
            visit(start, graph, new ArrayDeque<>(), done, cycles);
        }
        return cycles;
    }

    private static void visit(String node, Map<String, Set<String>> graph, Deque<String> path, Set<String> done,
            List<List<String>> cycles) {
        if (path.contains(node)) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (Iterator<String> steps = path.descendingIterator(); steps.hasNext();) {
                String step = steps.next();
                in = in || step.equals(node);
                if (in) {
                    cycle.add(step);
                }
            }
            cycle.add(node);
            cycles.add(cycle);
            return;
        }
        if (!done.add(node)) {
            return;
        }
        path.push(node);
        for (String next : new TreeSet<>(graph.getOrDefault(node, Set.of()))) {
            visit(next, graph, path, done, cycles);
        }
        path.pop();
    }

    private static Map<String, Set<String>> scan(Path root) {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter((path) -> path.toString().endsWith(".java")).toList()) {
                String pkg = root.relativize(file.getParent()).toString().replace('/', '.');
                Set<String> targets = graph.computeIfAbsent(pkg, (key) -> new TreeSet<>());
                for (String line : Files.readAllLines(file)) {
                    String code = line.strip();
                    if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
                        continue;
                    }
                    Matcher matcher = REFERENCE.matcher(code);
                    while (matcher.find()) {
                        if (!matcher.group(1).equals(pkg)) {
                            targets.add(matcher.group(1));
                        }
                    }
                }
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return graph;
    }

}
