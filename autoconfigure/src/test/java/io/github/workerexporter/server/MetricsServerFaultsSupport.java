package io.github.workerexporter.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the fault tests of the metrics server share: a Spring MVC application on Tomcat
 * (its own factory bean, so Jetty, also on the test classpath, backs off) with every
 * auto-configuration and the metrics server on a free loopback port; real scrapes whose
 * OpenMetrics exposition is checked line by line; and hostile sockets that never read,
 * never send, or send half a request.
 *
 * @author Worker Exporter
 */
final class MetricsServerFaultsSupport {

    /** Longest wait of one scrape or application request: far beyond any healthy one. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    private static final String EXCHANGE = "sun.net.httpserver.ServerImpl$Exchange";

    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0";

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";

    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]++|\\\\.)*+\"";

    private static final String VALUE = "(?:[-+]?(?:[0-9][0-9.eE+-]*|Inf)|NaN)";

    private static final Pattern SAMPLE = Pattern
        .compile(NAME + "(?:\\{(?:" + LABEL + "(?:," + LABEL + ")*)?\\})? " + VALUE + "(?: [0-9.eE+-]+)?(?: # \\{.*)?");

    private static final Pattern METADATA = Pattern.compile("# (?:TYPE|HELP|UNIT) " + NAME + "(?: .*)?");

    /** Free ports on loopback, no configuration file. */
    private static final String[] LOOPBACK = { "spring.config.location=optional:classpath:/none/",
            "spring.main.banner-mode=off", "server.address=127.0.0.1", "server.port=0",
            "exporter.prometheus.metrics-port=0", "exporter.prometheus.bind-address=127.0.0.1" };

    private MetricsServerFaultsSupport() {
    }

    /**
     * Run the application on free loopback ports.
     * @param properties more properties
     * @return the running application
     */
    static ConfigurableApplicationContext run(String... properties) {
        return application(properties).run();
    }

    /**
     * Run the application with a metrics server whose network timeout
     * ({@code exporter.prometheus.server.network-timeout}) is so long that a stalled
     * client stays stalled for the whole test.
     * @return the running application
     */
    static ConfigurableApplicationContext runPatient() {
        return run("exporter.prometheus.server.network-timeout=5m");
    }

    static SpringApplicationBuilder application(String... properties) {
        return new SpringApplicationBuilder(FaultsApplication.class).web(WebApplicationType.SERVLET)
            .properties(LOOPBACK)
            .properties(properties);
    }

    /**
     * Run the exporter's auto-configuration alone, without a web server, its metrics
     * server serving the given registry on a free loopback port.
     * @param registry the registry to serve
     * @param properties more properties
     * @return the running application, its metrics server started
     */
    static ConfigurableApplicationContext runExporter(PrometheusRegistry registry, String... properties) {
        return new SpringApplicationBuilder(ExporterApplication.class).web(WebApplicationType.NONE)
            .initializers((context) -> context.getBeanFactory().registerSingleton("prometheusRegistry", registry))
            .properties(LOOPBACK)
            .properties(properties)
            .run();
    }

    static int applicationPort(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static int metricsPort(ConfigurableApplicationContext context) {
        return context.getEnvironment().getRequiredProperty("local.exporter.metrics-port", Integer.class);
    }

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(PATIENCE).build();
    }

    /**
     * Start a scrape of the OpenMetrics exposition.
     * @param client the client
     * @param port the metrics port
     * @param query the query string, empty for the whole exposition
     * @return the response, once all of it came
     */
    static CompletableFuture<HttpResponse<String>> scrapeAsync(HttpClient client, int port, String query) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics" + query))
            .header("Accept", OPENMETRICS)
            .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Scrape and check the exposition, waiting at most {@link #PATIENCE}.
     * @param client the client
     * @param port the metrics port
     * @param query the query string, empty for the whole exposition
     * @return the exposition
     * @throws Exception when the scrape fails or takes longer
     */
    static String scrape(HttpClient client, int port, String query) throws Exception {
        return complete(scrapeAsync(client, port, query).get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
    }

    /**
     * Check that a response holds a complete exposition: status 200, every line a sample
     * or metadata of the OpenMetrics text format, and the final {@code # EOF}.
     * @param response the response
     * @return the exposition
     */
    static String complete(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        String body = response.body();
        assertThat(body).endsWith("# EOF\n");
        List<String> lines = Arrays.asList(body.substring(0, body.length() - "# EOF\n".length()).split("\n", -1));
        assertThat(lines.subList(0, lines.size() - 1))
            .allSatisfy((line) -> assertThat(SAMPLE.matcher(line).matches() || METADATA.matcher(line).matches())
                .as("exposition line %s", line)
                .isTrue());
        assertThat(lines.get(lines.size() - 1)).isEmpty();
        return body;
    }

    /**
     * A request to the application itself, on its own port.
     * @param client the client
     * @param port the application port
     * @param id what to ask for
     * @throws Exception when the request fails or takes longer than {@link #PATIENCE}
     */
    static void work(HttpClient client, int port, String id) throws Exception {
        HttpResponse<String> response = client
            .sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/work/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString())
            .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("done " + id);
    }

    /**
     * A client that sends a whole request for the metrics and then never reads: its
     * receive buffer is as small as the kernel allows, so a large response stalls the
     * server's write.
     * @param port the metrics port
     * @param query the query string
     * @return the open socket
     * @throws IOException when it cannot connect
     */
    static Socket slowReader(int port, String query) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(1024);
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) PATIENCE.toMillis());
        send(socket, "GET /metrics" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        return socket;
    }

    /**
     * A client that connects and sends some bytes, maybe none, and then nothing more.
     * @param port the port
     * @param sent what it sends
     * @return the open socket
     * @throws IOException when it cannot connect
     */
    static Socket stalled(int port, String sent) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), (int) PATIENCE.toMillis());
        send(socket, sent);
        return socket;
    }

    static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            }
            catch (IOException ex) {
                // closed already
            }
        }
    }

    private static void send(Socket socket, String text) throws IOException {
        if (!text.isEmpty()) {
            OutputStream out = socket.getOutputStream();
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    /**
     * How many threads of the JDK's HTTP server now serve an exchange blocked on its
     * socket: reading a request, or writing a response.
     * @param writing whether to count writers, else readers
     * @return the number of such threads
     */
    static int exchangesBlocked(boolean writing) {
        return exchangesIn(
                writing ? "sun.net.httpserver.Request$WriteStream" : "sun.net.httpserver.Request$ReadStream");
    }

    /**
     * How many threads now serve an exchange of the JDK's HTTP server, whatever they do.
     * @return the number of such threads
     */
    static int exchangesRunning() {
        return exchangesIn(EXCHANGE);
    }

    private static int exchangesIn(String className) {
        int threads = 0;
        for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
            boolean inClass = false;
            boolean inExchange = false;
            for (StackTraceElement frame : stack) {
                inClass |= frame.getClassName().equals(className);
                inExchange |= frame.getClassName().equals(EXCHANGE);
            }
            if (inClass && inExchange) {
                threads++;
            }
        }
        return threads;
    }

    /**
     * A gauge family of series with long label values, an exposition a megabyte larger
     * than the largest send buffer TCP auto-tuning may give a socket
     * ({@code net.ipv4.tcp_wmem}), so that a client that never reads, its own receive
     * buffer at the minimum, stalls the server's write whatever the machine.
     * @param name the family name
     * @return the collector, answering the same snapshot to every scrape
     */
    static Collector padding(String name) {
        int padding = 2_000;
        long bytes = largestSendBuffer() + (1 << 20);
        GaugeSnapshot.Builder builder = GaugeSnapshot.builder().name(name).help("Padding for a large exposition");
        String pad = "x".repeat(padding);
        for (int i = 0; i < bytes / padding; i++) {
            builder.dataPoint(GaugeDataPointSnapshot.builder()
                .labels(Labels.of("i", Integer.toString(i), "pad", pad))
                .value(i)
                .build());
        }
        GaugeSnapshot snapshot = builder.build();
        return named(snapshot, () -> snapshot);
    }

    private static long largestSendBuffer() {
        try {
            String[] wmem = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_wmem")).trim().split("\\s+");
            return Math.max(4 << 20, Long.parseLong(wmem[2]));
        }
        catch (IOException | RuntimeException ex) {
            return 8 << 20;
        }
    }

    /**
     * A gauge whose collection waits until a gate opens (at most {@link #PATIENCE}), so
     * that scrapes pile up.
     * @param name the family name
     * @param gate opened by the test
     * @param entered counts the collections that began
     * @return the collector
     */
    static Collector gated(String name, CountDownLatch gate, AtomicInteger entered) {
        return gauge(name, () -> {
            entered.incrementAndGet();
            try {
                gate.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * A gauge of value 1, its family known to the registry, so that a scrape that asks
     * for other names does not collect it.
     * @param name the family name
     * @param collecting what its collection does first
     * @return the collector
     */
    static Collector gauge(String name, Runnable collecting) {
        GaugeSnapshot snapshot = GaugeSnapshot.builder()
            .name(name)
            .help("A gauge of the test")
            .dataPoint(GaugeDataPointSnapshot.builder().value(1).build())
            .build();
        return named(snapshot, () -> {
            collecting.run();
            return snapshot;
        });
    }

    private static Collector named(MetricSnapshot snapshot, Supplier<MetricSnapshot> collect) {
        MetricFamilyDescriptor descriptor = MetricFamilyDescriptor.of(MetricType.GAUGE, snapshot.getMetadata());
        return new Collector() {

            @Override
            public MetricSnapshot collect() {
                return collect.get();
            }

            @Override
            public MetricFamilyDescriptor getMetricFamilyDescriptor() {
                return descriptor;
            }

        };
    }

    static <T> List<T> join(List<CompletableFuture<T>> futures) throws Exception {
        List<T> results = new ArrayList<>();
        for (CompletableFuture<T> future : futures) {
            results.add(future.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        }
        return results;
    }

    /**
     * The application: Spring MVC on Tomcat, every auto-configuration, and {@code GET
     * /work/{id}}.
     */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(WorkController.class)
    static class FaultsApplication {

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }

    }

    /**
     * The exporter's auto-configuration alone.
     */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(WorkerExporterAutoConfiguration.class)
    static class ExporterApplication {

    }

    @RestController
    static class WorkController {

        @GetMapping("/work/{id}")
        String work(@PathVariable String id) {
            return "done " + id;
        }

    }

}
