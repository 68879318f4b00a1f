package io.github.workerexporter.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scale run of {@code benchmarks/scale.sh}: for each store and fleet size, a
 * {@link ScaleFleet} published and scraped, one table row printed as soon as it is
 * measured; at the end {@code scale.md} (the table), {@code scale.csv} and
 * {@code scale.svg} (scrape time against workers, one line per store) in the output
 * directory.
 * <p>
 * Arguments, all optional: {@code stores=file,redis,cluster workers=16,64,256,1024
 * file-max=256 series=200 warmups=3 scrapes=7 out=benchmarks/target/scale}.
 *
 * @author Worker Exporter
 */
public final class ScaleRun {

    static final List<String> HEADER = List.of("store", "workers", "scrape + exposition, ms: median (min–max)",
            "CPU ms of the scraping thread (median) + GC ms per scrape",
            "allocated B per series: collect / with exposition", "peak heap MB", "read per scrape MB", "exposition MB",
            "flush ms: idle / while scraped (slowest, GC ms in it)", "Redis KB per worker", "Redis CPU ms per scrape",
            "memory per cluster node");

    private ScaleRun() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(
                Map.of("stores", "file,redis,cluster", "workers", "16,64,256,1024", "file-max", "256", "series", "200",
                        "warmups", "3", "scrapes", "7", "out", "benchmarks/target/scale"));
        for (String arg : args) {
            String[] pair = arg.split("=", 2);
            if (pair.length != 2 || !options.containsKey(pair[0])) {
                throw new IllegalArgumentException("Unknown argument '" + arg + "': one of " + options.keySet());
            }
            options.put(pair[0], pair[1]);
        }
        int series = Integer.parseInt(options.get("series"));
        int fileMax = Integer.parseInt(options.get("file-max"));
        List<ScaleFleet.Row> rows = new ArrayList<>();
        System.out.println(row(HEADER));
        System.out.println(row(HEADER.stream().map((cell) -> "---").toList()));
        for (String store : options.get("stores").split(",")) {
            for (int workers : Arrays.stream(options.get("workers").split(",")).mapToInt(Integer::parseInt).toArray()) {
                if (store.equals("file") && workers > fileMax) {
                    continue;
                }
                try (ScaleFleet fleet = ScaleFleet.open(store)) {
                    ScaleFleet.Row measured = fleet.measure(workers, series, Integer.parseInt(options.get("warmups")),
                            Integer.parseInt(options.get("scrapes")));
                    rows.add(measured);
                    System.out.println(row(measured.cells()));
                }
            }
        }
        Path out = Path.of(options.get("out"));
        Files.createDirectories(out);
        List<String> table = new ArrayList<>(List.of(row(HEADER), row(HEADER.stream().map((cell) -> "---").toList())));
        rows.forEach((measured) -> table.add(row(measured.cells())));
        Files.write(out.resolve("scale.md"), table);
        List<String> csv = new ArrayList<>(List.of("store,workers,series,scrape_ms_median,scrape_ms_min,"
                + "scrape_ms_max,cpu_ms_median,gc_ms,allocated_bytes,collect_allocated_bytes,peak_heap_bytes,read_bytes,exposition_bytes,flush_idle_ms,"
                + "flush_scraped_ms,flush_scraped_max_ms,flush_scraped_max_gc_ms,redis_memory_bytes,redis_cpu_ms"));
        rows.forEach((r) -> csv.add(String.join(",", r.store(), Integer.toString(r.workers()),
                Integer.toString(r.series()), num(r.scrapeMedian()), num(r.scrapeMin()), num(r.scrapeMax()),
                num(r.cpuMedian()), num(r.gcMillis()), num(r.allocatedPerScrape()), num(r.allocatedPerCollect()),
                Long.toString(r.peakHeap()), num(r.bytesReadPerScrape()), Long.toString(r.expositionBytes()),
                num(r.flushIdle()), num(r.flushScraped()), num(r.flushScrapedMax()), num(r.flushScrapedMaxGc()),
                Long.toString(r.redisMemory()), num(r.redisCpuMillis()))));
        Files.write(out.resolve("scale.csv"), csv);
        Files.writeString(out.resolve("scale.svg"), ScalePlot.svg(rows, series));
        System.out.println("Wrote " + out.resolve("scale.md") + ", scale.csv and scale.svg");
    }

    private static String row(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |";
    }

    private static String num(double value) {
        return String.format("%.3f", value);
    }

}
