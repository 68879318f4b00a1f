package io.github.workerexporter.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bytes allocated per request by each variant of {@link FilterBenchmark}, counted exactly
 * on the running thread ({@code ThreadMXBean.getCurrentThreadAllocatedBytes}) over a
 * million requests after a million of warm-up: unlike {@code -prof gc}, the figure does
 * not depend on how busy the machine is. Run it with
 * {@code java -cp benchmarks/target/benchmarks.jar io.github.workerexporter.benchmarks.FilterAllocations}.
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
        Map<String, Request> variants = new LinkedHashMap<>();
        variants.put("servletChainAlone", () -> benchmark.servletChainAlone(servlet));
        variants.put("servletWorkerExporter", () -> benchmark.servletWorkerExporter(servlet));
        variants.put("servletWorkerExporterRouteLabels", () -> benchmark.servletWorkerExporterRouteLabels(servlet));
        variants.put("servletSpringObservation", () -> benchmark.servletSpringObservation(servlet));
        variants.put("reactiveChainAlone", () -> benchmark.reactiveChainAlone(reactive));
        variants.put("reactiveWorkerExporter", () -> benchmark.reactiveWorkerExporter(reactive));
        variants.put("reactiveWorkerExporterRouteLabels", () -> benchmark.reactiveWorkerExporterRouteLabels(reactive));
        variants.put("recordRouteLabels", () -> benchmark.recordRouteLabels(recording));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            for (Map.Entry<String, Request> variant : variants.entrySet()) {
                run(variant.getValue(), requests(variant.getKey()));
            }
        }
        for (Map.Entry<String, Request> variant : variants.entrySet()) {
            int requests = requests(variant.getKey());
            long before = threads.getCurrentThreadAllocatedBytes();
            run(variant.getValue(), requests);
            double perRequest = (double) (threads.getCurrentThreadAllocatedBytes() - before) / requests;
            System.out.printf("%-36s %10.1f B/request%n", variant.getKey(), perRequest);
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
