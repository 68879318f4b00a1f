package io.github.workerexporter.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An SVG line plot of the median scrape time against the number of workers, one line per
 * store, both axes logarithmic (a straight line of slope 1 is linear growth), with the
 * targets of issue #15 drawn as dashed marks: 60 ms at 256 workers (files), 250 ms at
 * 1,024 (Redis).
 *
 * @author Worker Exporter
 */
final class ScalePlot {

    private static final int WIDTH = 640;

    private static final int HEIGHT = 420;

    private static final int LEFT = 70;

    private static final int RIGHT = 150;

    private static final int TOP = 40;

    private static final int BOTTOM = 50;

    private static final String[] COLOURS = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd" };

    private ScalePlot() {
    }

    static String svg(List<ScaleFleet.Row> rows, int series) {
        double minX = rows.stream().mapToInt(ScaleFleet.Row::workers).min().orElse(1);
        double maxX = rows.stream().mapToInt(ScaleFleet.Row::workers).max().orElse(2);
        double minY = Math.pow(10,
                Math.floor(Math.log10(rows.stream().mapToDouble(ScaleFleet.Row::scrapeMedian).min().orElse(1))));
        double maxY = Math.pow(10, Math
            .ceil(Math.log10(Math.max(300, rows.stream().mapToDouble(ScaleFleet.Row::scrapeMedian).max().orElse(10)))));
        Axis x = new Axis(minX, Math.max(maxX, minX * 2), LEFT, WIDTH - RIGHT);
        Axis y = new Axis(minY, maxY, HEIGHT - BOTTOM, TOP);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        svg.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format("<text x=\"%d\" y=\"22\" font-size=\"14\">Merged scrape with exposition, "
                + "workers × %d series (median)</text>%n", LEFT, series));
        for (double tick = minY; tick <= maxY * 1.001; tick *= 10) {
            line(svg, LEFT, y.at(tick), WIDTH - RIGHT, y.at(tick), "#dddddd", "");
            svg.append(String.format("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>%n", LEFT - 6,
                    y.at(tick) + 4, format(tick)));
        }
        rows.stream().mapToInt(ScaleFleet.Row::workers).distinct().sorted().forEach((workers) -> {
            line(svg, x.at(workers), TOP, x.at(workers), HEIGHT - BOTTOM, "#eeeeee", "");
            svg.append(String.format("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x.at(workers),
                    HEIGHT - BOTTOM + 18, workers));
        });
        svg.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">workers</text>%n",
                (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 12));
        target(svg, x, y, 256, 60, "files ≤ 60 ms");
        target(svg, x, y, 1024, 250, "Redis ≤ 250 ms");
        Map<String, List<ScaleFleet.Row>> byStore = new LinkedHashMap<>();
        rows.forEach((row) -> byStore.computeIfAbsent(row.store(), (key) -> new java.util.ArrayList<>()).add(row));
        int index = 0;
        for (Map.Entry<String, List<ScaleFleet.Row>> store : byStore.entrySet()) {
            String colour = COLOURS[index % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (ScaleFleet.Row row : store.getValue()) {
                points.append(String.format("%.1f,%.1f ", x.at(row.workers()), y.at(row.scrapeMedian())));
                svg.append(String.format("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x.at(row.workers()),
                        y.at(row.scrapeMedian()), colour));
            }
            svg.append(String.format("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    points.toString().trim(), colour));
            int legendY = TOP + 10 + 20 * index;
            line(svg, WIDTH - RIGHT + 15, legendY, WIDTH - RIGHT + 40, legendY, colour, "");
            svg.append(String.format("<text x=\"%d\" y=\"%d\">%s</text>%n", WIDTH - RIGHT + 45, legendY + 4,
                    store.getKey()));
            index++;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void target(StringBuilder svg, Axis x, Axis y, int workers, double millis, String label) {
        if (workers > x.max || millis > y.max) {
            return;
        }
        line(svg, x.at(workers) - 12, y.at(millis), x.at(workers) + 12, y.at(millis), "#555555",
                " stroke-dasharray=\"3,3\"");
        svg.append(String.format("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555555\">%s</text>%n",
                x.at(workers) - 14, y.at(millis) + 4, label));
    }

    private static void line(StringBuilder svg, double x1, double y1, double x2, double y2, String colour,
            String extra) {
        svg.append(String.format("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n", x1, y1,
                x2, y2, colour, extra));
    }

    private static String format(double value) {
        return (value >= 1) ? String.format("%.0f", value) : String.format("%.1f", value);
    }

    /**
     * A logarithmic axis from a value range to a pixel range.
     */
    private record Axis(double min, double max, double from, double to) {

        double at(double value) {
            double share = (Math.log(value) - Math.log(this.min)) / (Math.log(this.max) - Math.log(this.min));
            return this.from + share * (this.to - this.from);
        }

    }

}
