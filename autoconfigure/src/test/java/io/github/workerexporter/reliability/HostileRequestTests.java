package io.github.workerexporter.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.reliability.HostileApps.Server;
import io.github.workerexporter.reliability.HostileRequests.Kind;
import io.github.workerexporter.reliability.HostileRequests.Request;
import io.github.workerexporter.testing.RawHttp;
import io.github.workerexporter.testing.LoopbackHttp;
import io.github.workerexporter.testing.LoopbackHttp.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input over real sockets, on Tomcat and on Reactor Netty: random URLs, random
 * path-variable values, 64 KiB headers, odd methods, invalid UTF-8 and percent-encoding
 * garbage. Each request is also sent to the same application with the exporter off
 * ({@code exporter.enabled=false}): the answers must be the same. The exporter's series
 * must stay bounded (route templates, the standard methods or {@code OTHER}, at most
 * {@code exporter.metrics.max-label-sets} label sets per error family plus the folded
 * ones), and so must the heap; nothing the exporter runs may log a stack trace.
 * <p>
 * Requests come from a seeded {@link Random}; the seed is in every failure message.
 *
 * @author Worker Exporter
 */
@TestInstance(Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class HostileRequestTests {

    private static final long SEED = Long.getLong("hostile.seed", 20261123L);

    private static final String FAILED = "gunicorn_worker_failed_requests_total";

    private static final String HANDLED = "gunicorn_worker_error_handling_total";

    private static final String REQUESTS = "gunicorn_worker_requests_total{worker_id=\"w1\"}";

    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** How much the heap may grow, after GC, over a run: generous, a leak is far more. */
    private static final long HEAP_GROWTH_BOUND = 64L * 1024 * 1024;

    /**
     * How many series the whole scrape may gain: Spring's own request timers per route
     * template, status and method, and the exporter's capped error families.
     */
    private static final int ALL_SERIES_GROWTH_BOUND = 600;

    private final Map<Server, ConfigurableApplicationContext> on = new EnumMap<>(Server.class);

    private final Map<Server, ConfigurableApplicationContext> off = new EnumMap<>(Server.class);

    @BeforeAll
    void startApplications() {
        for (Server server : Server.values()) {
            this.on.put(server, HostileApps.start(server, true));
            this.off.put(server, HostileApps.start(server, false));
        }
    }

    @AfterAll
    void stopApplications() {
        this.on.values().forEach(ConfigurableApplicationContext::close);
        this.off.values().forEach(ConfigurableApplicationContext::close);
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void answersRandomUnmatchedUrlsAsWithoutTheExporterWithoutRawPathsInLabels(Server server, CapturedOutput output)
            throws Exception {
        assertKindAnsweredAsWithoutTheExporter(server, Kind.UNMATCHED, 100, output);
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void answersRandomPathVariableValuesAsWithoutTheExporterUnderTheRouteTemplate(Server server, CapturedOutput output)
            throws Exception {
        RequestExposition before = HostileApps.scrape(this.on.get(server));
        assertKindAnsweredAsWithoutTheExporter(server, Kind.PATH_VARIABLE, 100, output);
        assertThat(awaitRequests(this.on.get(server), before.value(REQUESTS) + 100).value(REQUESTS))
            .isEqualTo(before.value(REQUESTS) + 100);
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void answersUnconvertiblePathVariableValuesAsWithoutTheExporterAsOneHandledSeries(Server server,
            CapturedOutput output) throws Exception {
        RequestExposition after = assertKindAnsweredAsWithoutTheExporter(server, Kind.BAD_VALUE, 100, output);
        assertThat(series(after, HANDLED)).filteredOn((s) -> s.contains("endpoint=\"/items/{id}\"")).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void capsTheLabelSetsOfAMappingWhoseTemplateIsTheRawPath(Server server, CapturedOutput output) throws Exception {
        RequestExposition after = assertKindAnsweredAsWithoutTheExporter(server, Kind.RAW_TEMPLATE,
                3 * HostileApps.MAX_LABEL_SETS, output);
        List<String> failed = series(after, FAILED);
        assertThat(failed).filteredOn((s) -> s.contains("endpoint=\"/raw/"))
            .hasSize(HostileApps.MAX_LABEL_SETS - (int) failed.stream()
                .filter((s) -> !s.contains("endpoint=\"/raw/") && !s.contains("endpoint=\"OTHER\""))
                .count());
        assertThat(failed).anyMatch((s) -> s.contains("endpoint=\"OTHER\"") && s.contains("error_type=\"HTTP_500\""));
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void answersOddMethodsAsWithoutTheExporterWithAMethodLabelFromAFixedSet(Server server, CapturedOutput output)
            throws Exception {
        assertKindAnsweredAsWithoutTheExporter(server, Kind.ODD_METHOD, 100, output);
        for (String method : HostileRequests.ODD_METHODS) {
            Request request = new Request(Kind.ODD_METHOD, RawHttp.request(method, "/users/1"));
            assertSameAnswer(server, List.of(request), output);
        }
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void answers64KibHeaderValuesAsWithoutTheExporter(Server server, CapturedOutput output) throws Exception {
        assertKindAnsweredAsWithoutTheExporter(server, Kind.LONG_HEADER, 20, output);
    }

    @ParameterizedTest
    @EnumSource(Server.class)
    void answersInvalidUtf8AndPercentEncodingGarbageAsWithoutTheExporter(Server server, CapturedOutput output)
            throws Exception {
        List<Request> requests = new ArrayList<>();
        for (String path : HostileRequests.GARBAGE_PATHS) {
            requests.add(new Request(Kind.GARBAGE_PATH, RawHttp.request("GET", path)));
        }
        assertSameAnswer(server, requests, output);
        assertKindAnsweredAsWithoutTheExporter(server, Kind.GARBAGE_PATH, 100, output);
    }

    @ParameterizedTest
    @EnumSource(value = Server.class, names = "TOMCAT")
    void keepsSeriesAndHeapBoundedUnder5000MixedHostileRequests(Server server, CapturedOutput output) throws Exception {
        assertBoundedUnderMixedHostileRequests(server, 5_000, output);
    }

    @Tag("reliability")
    @ParameterizedTest
    @EnumSource(value = Server.class, names = "TOMCAT")
    void keepsSeriesAndHeapBoundedUnder100000MixedHostileRequests(Server server, CapturedOutput output)
            throws Exception {
        assertBoundedUnderMixedHostileRequests(server, 100_000, output);
    }

    @Tag("reliability")
    @ParameterizedTest
    @EnumSource(value = Server.class, names = "NETTY")
    void keepsSeriesAndHeapBoundedUnder25000MixedHostileRequests(Server server, CapturedOutput output)
            throws Exception {
        assertBoundedUnderMixedHostileRequests(server, 25_000, output);
    }

    private RequestExposition assertKindAnsweredAsWithoutTheExporter(Server server, Kind kind, int count,
            CapturedOutput output) throws Exception {
        Random random = new Random(SEED + kind.ordinal());
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(HostileRequests.of(kind, random));
        }
        assertSameAnswer(server, requests, output);
        RequestExposition after = HostileApps.scrape(this.on.get(server));
        assertBounded(after);
        return after;
    }

    private void assertSameAnswer(Server server, List<Request> requests, CapturedOutput output) throws Exception {
        try (RawHttp withExporter = new RawHttp(HostileApps.port(this.on.get(server)));
                RawHttp withoutExporter = new RawHttp(HostileApps.port(this.off.get(server)))) {
            for (Request request : requests) {
                RawHttp.Response expected = withoutExporter.send(request.bytes());
                RawHttp.Response actual = withExporter.send(request.bytes());
                assertThat(actual.status()).as("%s (seed %d)", request.describe(), SEED).isEqualTo(expected.status());
                if (request.kind().status() != 0) {
                    assertThat(actual.status()).as("%s (seed %d)", request.describe(), SEED)
                        .isEqualTo(request.kind().status());
                }
                assertThat(actual.headers().get("content-type")).as(request.describe())
                    .isEqualTo(expected.headers().get("content-type"));
            }
        }
        assertNoStackTraceFromTheExporter(output);
    }

    private void assertBoundedUnderMixedHostileRequests(Server server, int count, CapturedOutput output)
            throws Exception {
        ConfigurableApplicationContext application = this.on.get(server);
        RequestExposition before = HostileApps.scrape(application);
        long heapBefore = usedHeapAfterGc();
        int threads = 4;
        AtomicLong reachedApplication = new AtomicLong();
        Map<Kind, Set<Integer>> statuses = new ConcurrentHashMap<>();
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = SEED + 1000 + t;
                int share = count / threads + ((t < count % threads) ? 1 : 0);
                futures.add(executor.submit(() -> {
                    sendMixed(server, seed, share, reachedApplication, statuses);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(10, TimeUnit.MINUTES);
            }
        }
        finally {
            executor.shutdownNow();
        }
        RequestExposition after = awaitRequests(application, before.value(REQUESTS) + reachedApplication.get());
        assertThat(after.value(REQUESTS) - before.value(REQUESTS)).isBetween((double) reachedApplication.get(),
                (double) count + count / 10);
        assertBounded(after);
        assertThat(otherSeries(after)).as("series other than the error families").isEqualTo(otherSeries(before));
        assertThat(allSeries(after)).as("all series of the scrape, the application's own included")
            .isLessThanOrEqualTo(allSeries(before) + ALL_SERIES_GROWTH_BOUND);
        assertThat(metricsServerSeries(application)).as("series served by the metrics server")
            .isLessThanOrEqualTo(allSeries(HostileApps.scrape(application)) + 10);
        long growth = usedHeapAfterGc() - heapBefore;
        assertThat(growth).as("heap growth after GC over %d requests (statuses %s)", count, statuses)
            .isLessThan(HEAP_GROWTH_BOUND);
        assertNoStackTraceFromTheExporter(output);
    }

    /**
     * Send a share of the mixed requests; every tenth is also sent to the application
     * without the exporter and must get the same status.
     */
    private void sendMixed(Server server, long seed, int count, AtomicLong reachedApplication,
            Map<Kind, Set<Integer>> statuses) throws IOException {
        Random random = new Random(seed);
        try (RawHttp withExporter = new RawHttp(HostileApps.port(this.on.get(server)));
                RawHttp withoutExporter = new RawHttp(HostileApps.port(this.off.get(server)))) {
            for (int i = 0; i < count; i++) {
                Request request = HostileRequests.next(random);
                RawHttp.Response actual = withExporter.send(request.bytes());
                statuses.computeIfAbsent(request.kind(), (k) -> ConcurrentHashMap.newKeySet()).add(actual.status());
                if (request.kind().status() != 0) {
                    assertThat(actual.status()).as("%s (seed %d)", request.describe(), seed)
                        .isEqualTo(request.kind().status());
                    reachedApplication.incrementAndGet();
                }
                if (i % 10 == 0) {
                    assertThat(actual.status()).as("%s (seed %d)", request.describe(), seed)
                        .isEqualTo(withoutExporter.send(request.bytes()).status());
                }
            }
        }
    }

    private static RequestExposition awaitRequests(ConfigurableApplicationContext application, double atLeast)
            throws InterruptedException {
        RequestExposition scrape = HostileApps.scrape(application);
        for (int i = 0; i < 1000 && scrape.value(REQUESTS) < atLeast; i++) {
            Thread.sleep(10);
            scrape = HostileApps.scrape(application);
        }
        return scrape;
    }

    /**
     * The error families hold route templates (or the hostile mapping's raw paths, at
     * most the cap), methods from the fixed set, and a bounded number of folded label
     * sets.
     */
    private static void assertBounded(RequestExposition scrape) {
        for (String family : List.of(FAILED, HANDLED)) {
            List<String> series = series(scrape, family);
            Set<String> errorTypes = new TreeSet<>();
            long folded = 0;
            for (String key : series) {
                Map<String, String> labels = labels(key);
                assertThat(labels.get("method")).as(key).isIn(HostileApps.METHOD_LABELS);
                assertThat(labels.get("worker_id")).isEqualTo("w1");
                assertThat(labels.get("endpoint")).as(key).doesNotStartWith("/random/").doesNotStartWith("/users/%");
                errorTypes.add(labels.get("error_type"));
                if ("OTHER".equals(labels.get("endpoint"))) {
                    folded++;
                }
            }
            assertThat(errorTypes).as("error types of %s", family).hasSizeLessThanOrEqualTo(20);
            assertThat(series.size() - folded).as("label sets of %s", family)
                .isLessThanOrEqualTo(HostileApps.MAX_LABEL_SETS);
            assertThat(folded).isLessThanOrEqualTo((long) HostileApps.METHOD_LABELS.size() * errorTypes.size());
        }
        assertThat(endpoints(scrape)).allMatch((endpoint) -> HostileApps.TEMPLATES.contains(endpoint)
                || endpoint.startsWith("/raw/") || List.of("OTHER", "UNMATCHED", "/**", "/error").contains(endpoint));
    }

    private static Set<String> endpoints(RequestExposition scrape) {
        Set<String> endpoints = new TreeSet<>();
        for (String family : List.of(FAILED, HANDLED)) {
            series(scrape, family).forEach((key) -> endpoints.add(labels(key).get("endpoint")));
        }
        return endpoints;
    }

    private static List<String> series(RequestExposition scrape, String family) {
        return scrape.series(family);
    }

    private static Set<String> otherSeries(RequestExposition scrape) {
        Set<String> keys = new TreeSet<>();
        scrape.samples()
            .keySet()
            .stream()
            .filter((key) -> key.startsWith("gunicorn_") && !key.startsWith(FAILED) && !key.startsWith(HANDLED))
            .forEach(keys::add);
        return keys;
    }

    private static int allSeries(RequestExposition scrape) {
        return scrape.samples().size();
    }

    private static int metricsServerSeries(ConfigurableApplicationContext application)
            throws IOException, InterruptedException {
        String port = application.getEnvironment().getProperty("local.exporter.metrics-port");
        Answer response = LoopbackHttp.getOnce(Integer.parseInt(port), "/metrics");
        assertThat(response.status()).isEqualTo(200);
        return RequestExposition.parse(response.body()).samples().size();
    }

    private static Map<String, String> labels(String key) {
        Map<String, String> labels = new java.util.HashMap<>();
        Matcher matcher = LABEL.matcher(key.substring(key.indexOf('{')));
        while (matcher.find()) {
            labels.put(matcher.group(1), matcher.group(2));
        }
        return labels;
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void assertNoStackTraceFromTheExporter(CapturedOutput output) {
        assertThat(output.getAll()).doesNotContain("at io.github.workerexporter.");
    }

}
