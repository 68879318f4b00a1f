package io.github.workerexporter.reliability;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.params.ParameterizedTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reliability table ({@code docs/reliability.md}) promises that every row is a test
 * that can fail: each row's last cell names one test method ({@code Class#method}, the
 * class relative to {@code io.github.workerexporter}), and this test fails when a named
 * class or method is missing, is not a test, or a row leaves "what was lost" empty.
 *
 * @author Worker Exporter
 */
class ReliabilityTableTests {

    private static final Path PAGE = Path.of("..", "docs", "reliability.md");

    private static final Pattern TEST_CELL = Pattern.compile("`([\\w.]+)#(\\w+)`");

    @Test
    void everyRowOfTheReliabilityTableNamesARealTest() throws IOException {
        List<String[]> rows = rows(Files.readString(PAGE));
        assertThat(rows).as("rows of the reliability table in " + PAGE).hasSizeGreaterThanOrEqualTo(20);
        List<String> problems = new ArrayList<>();
        for (String[] cells : rows) {
            String row = String.join(" | ", cells);
            if (cells.length != 4) {
                problems.add("needs 4 cells (fault, what happened, lost, test): " + row);
                continue;
            }
            if (cells[2].isBlank()) {
                problems.add("says nothing of what was lost: " + row);
            }
            Matcher matcher = TEST_CELL.matcher(cells[3]);
            if (!matcher.find()) {
                problems.add("names no test as `Class#method`: " + row);
                continue;
            }
            do {
                String problem = check(matcher.group(1), matcher.group(2));
                if (problem != null) {
                    problems.add(problem + ": " + row);
                }
            }
            while (matcher.find());
        }
        assertThat(problems).isEmpty();
    }

    private static List<String[]> rows(String page) {
        int start = page.indexOf("<!-- reliability:start -->");
        int end = page.indexOf("<!-- reliability:end -->");
        assertThat(start).as(PAGE + " marker <!-- reliability:start -->").isNotNegative();
        assertThat(end).as(PAGE + " marker <!-- reliability:end -->").isGreaterThan(start);
        List<String[]> rows = new ArrayList<>();
        for (String line : page.substring(start, end).split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("|") || trimmed.startsWith("|---") || trimmed.startsWith("| Fault")) {
                continue;
            }
            String inner = trimmed.substring(1, trimmed.endsWith("|") ? trimmed.length() - 1 : trimmed.length());
            rows.add(Arrays.stream(inner.split("(?<!\\\\)\\|", -1)).map(String::strip).toArray(String[]::new));
        }
        return rows;
    }

    private static String check(String className, String methodName) {
        Class<?> type;
        try {
            type = Class.forName("io.github.workerexporter." + className);
        }
        catch (ClassNotFoundException ex) {
            return "no test class io.github.workerexporter." + className;
        }
        for (Class<?> candidate = type; candidate != null; candidate = candidate.getSuperclass()) {
            for (Method method : candidate.getDeclaredMethods()) {
                if (method.getName().equals(methodName)) {
                    boolean test = method.isAnnotationPresent(Test.class)
                            || method.isAnnotationPresent(ParameterizedTest.class)
                            || method.isAnnotationPresent(TestTemplate.class);
                    return test ? null : className + "#" + methodName + " is not a test method";
                }
            }
        }
        return "no method " + className + "#" + methodName;
    }

}
