package io.github.workerexporter.metrics;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Test-only parser of the Prometheus text format: samples keyed by name and labels (in
 * exposition order), and the TYPE lines.
 *
 * @param samples value of each sample, keyed like {@code name{a="1",b="2"}}
 * @param types the family name of each TYPE line, in order
 * @param text the exposition
 * @author Worker Exporter
 */
public record RequestExposition(Map<String, Double> samples, List<String> types, String text) {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{.*\\})? (\\S+)$");

    /**
     * Scrape a registry and parse it.
     * @param registry the registry
     * @return the parsed exposition
     */
    public static RequestExposition scrape(PrometheusRegistry registry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return parse(out.toString(StandardCharsets.UTF_8));
    }

    /**
     * Parse an exposition in the Prometheus text format.
     * @param text the exposition
     * @return the parsed exposition
     */
    public static RequestExposition parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        List<String> types = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                types.add(line.split(" ")[2]);
            }
            else if (!line.isBlank() && !line.startsWith("#")) {
                Matcher matcher = SAMPLE.matcher(line);
                if (!matcher.matches()) {
                    throw new IllegalArgumentException("Not a sample line: " + line);
                }
                String labels = (matcher.group(2) != null) ? matcher.group(2) : "";
                if (samples.put(matcher.group(1) + labels, Double.parseDouble(matcher.group(3))) != null) {
                    throw new IllegalArgumentException("Duplicate sample: " + line);
                }
            }
        }
        return new RequestExposition(samples, types, text);
    }

    /**
     * Value of a sample, 0 when absent.
     * @param key name and labels, such as {@code x_total{worker_id="w"}}
     * @return the value
     */
    public double value(String key) {
        return this.samples.getOrDefault(key, 0.0);
    }

    /**
     * Keys of the samples of one metric name.
     * @param name the sample name
     * @return the keys
     */
    public List<String> series(String name) {
        return this.samples.keySet().stream().filter((key) -> key.startsWith(name + "{")).toList();
    }

}
