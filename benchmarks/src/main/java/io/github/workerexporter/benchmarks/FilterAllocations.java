package io.github.workerexporter.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bytes allocated per request by each variant of {@link FilterBenchmark} and of
 * {@link ReactiveFilterBenchmark} ({@code reusedExchange…}), and what each filter adds to
 * its chain alone, counted on the running thread
 * ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}) over a million requests (the
 * reactive ones over 100,000) after every variant has been warmed up three times: unlike
 * {@code -prof gc}, the figure does not depend on how busy the machine is. Run it with
 * {@code java -XX:-DoEscapeAnalysis -cp benchmarks/target/benchmarks.jar io.github.workerexporter.benchmarks.FilterAllocations}
 * for the exact count of every object allocated, the same on every run; with escape
 * analysis on (the JVM's default), the JIT compiler removes some of them, and which ones
 * differs between runs by some tens of bytes on the reactive path.
 *
 * @author Worker Exporter
 */
public final class FilterAllocations {

    private static final int REQUESTS = 1_000_000;

    private static final int WARM_UP_ROUNDS = 3;

    private FilterAllocations() {
    }

    public static void main(String[] args) throws Exception {
        FilterBenchmark benchmark = new FilterBenchmark();
        FilterBenchmark.Servlet servlet = new FilterBenchmark.Servlet();
        FilterBenchmark.Reactive reactive = new FilterBenchmark.Reactive();
        FilterBenchmark.Recording recording = new FilterBenchmark.Recording();
        ReactiveFilterBenchmark reused = new ReactiveFilterBenchmark();
        ReactiveFilterBenchmark.Exchange exchange = new ReactiveFilterBenchmark.Exchange();
        Map<String, Request> variants = new LinkedHashMap<>();
        variants.put("servletChainAlone", () -> benchmark.servletChainAlone(servlet));
        variants.put("servletWorkerExporter", () -> benchmark.servletWorkerExporter(servlet));
        variants.put("servletWorkerExporterRouteLabels", () -> benchmark.servletWorkerExporterRouteLabels(servlet));
        variants.put("servletSpringObservation", () -> benchmark.servletSpringObservation(servlet));
        variants.put("reactiveChainAlone", () -> benchmark.reactiveChainAlone(reactive));
        variants.put("reactiveWorkerExporter", () -> benchmark.reactiveWorkerExporter(reactive));
        variants.put("reactiveWorkerExporterRouteLabels", () -> benchmark.reactiveWorkerExporterRouteLabels(reactive));
        variants.put("reusedExchangeChainAlone", () -> reused.chainAlone(exchange));
        variants.put("reusedExchangeWorkerExporter", () -> reused.workerExporter(exchange));
        variants.put("reusedExchangeWorkerExporterRouteLabels", () -> reused.workerExporterRouteLabels(exchange));
        variants.put("recordRouteLabels", () -> benchmark.recordRouteLabels(recording));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            for (Map.Entry<String, Request> variant : variants.entrySet()) {
                run(variant.getValue(), requests(variant.getKey()));
            }
        }
        Map<String, Double> chainAlone = new LinkedHashMap<>();
        for (Map.Entry<String, Request> variant : variants.entrySet()) {
            String name = variant.getKey();
            int requests = requests(name);
            long before = threads.getCurrentThreadAllocatedBytes();
            run(variant.getValue(), requests);
            double perRequest = (double) (threads.getCurrentThreadAllocatedBytes() - before) / requests;
            String path = name.replaceFirst("(ChainAlone|WorkerExporter\\w*|SpringObservation)$", "");
            if (name.endsWith("ChainAlone")) {
                chainAlone.put(path, perRequest);
            }
            Double baseline = chainAlone.get(path);
            String added = (baseline != null && !name.endsWith("ChainAlone"))
                    ? String.format("%+10.1f B added", perRequest - baseline) : "";
            System.out.printf("%-40s %10.1f B/request %s%n", name, perRequest, added);
        }
    }

    private static int requests(String variant) {
        return variant.startsWith("reactive") ? REQUESTS / 10 : REQUESTS;
    }

    private static void run(Request request, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            request.run();
        }
    }

    @FunctionalInterface
    interface Request {

        void run() throws Exception;

    }

}
