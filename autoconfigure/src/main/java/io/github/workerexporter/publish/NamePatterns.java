package io.github.workerexporter.publish;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which metric families a worker publishes: names matching an include pattern (all when
 * there is none) and no exclude pattern. A pattern is a family name in which {@code *}
 * matches any characters; names are client_java's Prometheus names, without the
 * {@code _total} of counters.
 *
 * @author Worker Exporter
 */
public final class NamePatterns implements Predicate<String> {

    private final List<Pattern> include;

    private final List<Pattern> exclude;

    /**
     * Create a filter.
     * @param include the patterns to include; empty includes all
     * @param exclude the patterns to exclude
     */
    public NamePatterns(List<String> include, List<String> exclude) {
        this.include = include.stream().map(NamePatterns::compile).toList();
        this.exclude = exclude.stream().map(NamePatterns::compile).toList();
    }

    @Override
    public boolean test(String name) {
        return (this.include.isEmpty() || matches(this.include, name)) && !matches(this.exclude, name);
    }

    private static boolean matches(List<Pattern> patterns, String name) {
        return patterns.stream().anyMatch((pattern) -> pattern.matcher(name).matches());
    }

    private static Pattern compile(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            regex.append((regex.length() > 0) ? ".*" : "").append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString());
    }

}
