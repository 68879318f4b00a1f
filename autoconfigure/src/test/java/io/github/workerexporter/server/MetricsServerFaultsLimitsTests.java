package io.github.workerexporter.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static io.github.workerexporter.server.MetricsServerFaultsSupport.PATIENCE;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.closeAll;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.complete;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.exchangesRunning;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.gated;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.gauge;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.metricsPort;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.padding;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.runExporter;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.scrape;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.scrapeAsync;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.slowReader;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.stalled;
import static io.github.workerexporter.server.MetricsServerTestSupport.registryWithCounter;
import static io.github.workerexporter.server.MetricsServerTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The {@link MetricsServerLimits} of a {@link MetricsServerManager}, with small limits
 * and real sockets on loopback: a stalled client is cut once its network time is up and
 * its thread serves again, collection is never cut, and connections past the threads and
 * the queue are turned away at once. Where a test shows what a property does, the limits
 * come from {@code exporter.prometheus.server.*} through the auto-configuration.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class MetricsServerFaultsLimitsTests {

    private static final String CUT = "Metrics server closed a connection that spent more than 500 ms";

    private static final String NETWORK_TIMEOUT = "exporter.prometheus.server.network-timeout";

    private static final Pattern CHUNKED = Pattern.compile("(?i)transfer-encoding: *chunked");

    private final HttpClient client = MetricsServerFaultsSupport.client();

    private final List<Socket> hostile = new ArrayList<>();

    private final CountDownLatch gate = new CountDownLatch(1);

    private final PrometheusRegistry registry = registryWithCounter();

    private MetricsServerManager manager;

    private ConfigurableApplicationContext context;

    @AfterEach
    void stopServer() {
        this.gate.countDown();
        closeAll(this.hostile);
        if (this.manager != null) {
            this.manager.stop();
        }
        if (this.context != null) {
            this.context.close();
        }
    }

    @Test
    void cutsAClientThatSendsHalfARequestOnceItsNetworkTimeIsUp(CapturedOutput output) throws Exception {
        int port = start(NETWORK_TIMEOUT + "=500ms");
        Socket half = stalled(port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        this.hostile.add(half);
        assertThat(readUntilClosed(half)).as("answer to half a request").isEmpty();
        // Logged just after the cut, as the configured time.
        await().atMost(PATIENCE).until(() -> output.toString().contains(CUT));
        assertThat(scrape(this.client, port, "")).contains("test_requests_total 3.0");
    }

    @Test
    void cutsAClientThatNeverReadsItsResponseOnceItsNetworkTimeIsUp(CapturedOutput output) throws Exception {
        int port = start(NETWORK_TIMEOUT + "=500ms");
        this.registry.register(padding("fault_padding"));
        Socket reader = slowReader(port, "");
        this.hostile.add(reader);
        await().atMost(PATIENCE).until(() -> output.toString().contains(CUT));
        String response = readUntilClosed(reader);
        // The body is streamed in chunks: a cut one lacks the last, empty chunk.
        assertThat(CHUNKED.matcher(response).find()).as("response headers").isTrue();
        assertThat(response).as("the body before the cut").doesNotEndWith("\r\n0\r\n\r\n");
        await().atMost(PATIENCE).until(() -> exchangesRunning() == 0);
        assertThat(output).as("the cut client logged as an error").doesNotContain("caught an Exception");
        assertThat(scrape(this.client, port, "?name[]=test_requests_total")).contains("test_requests_total 3.0");
    }

    @Test
    void neverInterruptsACollectionThatOutlastsTheNetworkTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(200);
        int port = start(new MetricsServerLimits(2, 8, timeout));
        AtomicInteger interrupted = new AtomicInteger();
        this.registry.register(sleeping("fault_sleepy", timeout.multipliedBy(5), interrupted));
        assertThat(scrape(this.client, port, "")).contains("fault_sleepy 1.0", "test_requests_total 3.0");
        assertThat(interrupted).as("collections interrupted").hasValue(0);
    }

    @Test
    void theThreadOfACutClientServesTheNextScrapesInFull() throws Exception {
        int port = start(new MetricsServerLimits(1, 8, Duration.ofMillis(300)));
        AtomicInteger interrupted = new AtomicInteger();
        this.registry.register(sleeping("fault_sleepy", Duration.ofMillis(50), interrupted));
        Socket half = stalled(port, "GET /metr");
        this.hostile.add(half);
        assertThat(readUntilClosed(half)).isEmpty();
        for (int i = 0; i < 5; i++) {
            assertThat(scrape(this.client, port, "")).contains("fault_sleepy 1.0", "test_requests_total 3.0");
        }
        assertThat(interrupted).as("collections interrupted").hasValue(0);
    }

    @Test
    void turnsAwayAConnectionPastItsThreadsAndQueueAtOnce() throws Exception {
        int port = start("exporter.prometheus.server.max-threads=1", "exporter.prometheus.server.max-queue-capacity=1",
                NETWORK_TIMEOUT + "=30s");
        AtomicInteger collecting = new AtomicInteger();
        this.registry.register(gated("fault_gate", this.gate, collecting));
        CompletableFuture<HttpResponse<String>> first = scrapeAsync(this.client, port, "");
        await().atMost(PATIENCE).until(() -> collecting.get() == 1);
        List<CompletableFuture<HttpResponse<String>>> more = List.of(scrapeAsync(this.client, port, ""),
                scrapeAsync(this.client, port, ""));
        CompletableFuture.anyOf(more.toArray(CompletableFuture[]::new))
            .handle((response, failure) -> null)
            .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(this.gate.getCount()).as("gate still closed").isOne();
        CompletableFuture<HttpResponse<String>> refused = more.get(0).isDone() ? more.get(0) : more.get(1);
        CompletableFuture<HttpResponse<String>> queued = (refused == more.get(0)) ? more.get(1) : more.get(0);
        assertThatExceptionOfType(ExecutionException.class).isThrownBy(refused::get)
            .withCauseInstanceOf(IOException.class);
        this.gate.countDown();
        assertThat(complete(first.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))).contains("fault_gate 1.0");
        assertThat(complete(queued.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))).contains("fault_gate 1.0");
    }

    @Test
    void stalledClientsBeyondItsThreadsDelayOtherScrapesOnlyUntilTheirNetworkTimeIsUp() throws Exception {
        int port = start(new MetricsServerLimits(2, 64, Duration.ofSeconds(1)));
        for (int i = 0; i < 6; i++) {
            this.hostile.add(stalled(port, "GET /metrics HTTP/1.1\r\n"));
        }
        Thread.sleep(200);
        assertThat(scrape(this.client, port, "")).contains("test_requests_total 3.0");
        assertThat(this.hostile).as("stalled clients still holding their sockets").noneMatch(Socket::isClosed);
    }

    private int start(MetricsServerLimits limits) {
        this.manager = new MetricsServerManager(this.registry, settings(0), limits);
        assertThat(this.manager.start()).isTrue();
        return this.manager.getPort();
    }

    /**
     * Start the auto-configured metrics server of the registry.
     * @param properties the {@code exporter.prometheus.server.*} properties
     * @return its port
     */
    private int start(String... properties) {
        this.context = runExporter(this.registry, properties);
        return metricsPort(this.context);
    }

    /**
     * Read what the server sends until it closes the connection, at most
     * {@link MetricsServerFaultsSupport#PATIENCE}.
     */
    private static String readUntilClosed(Socket socket) throws IOException {
        socket.setSoTimeout((int) PATIENCE.toMillis());
        StringBuilder read = new StringBuilder();
        byte[] buffer = new byte[64 * 1024];
        InputStream in = socket.getInputStream();
        try {
            for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
                read.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        }
        catch (SocketException ex) {
            // reset by the server: closed too
        }
        return read.toString();
    }

    /**
     * A gauge whose collection sleeps, counting the collections that were interrupted.
     */
    private static Collector sleeping(String name, Duration sleep, AtomicInteger interrupted) {
        return gauge(name, () -> {
            try {
                Thread.sleep(sleep.toMillis());
            }
            catch (InterruptedException ex) {
                interrupted.incrementAndGet();
                Thread.currentThread().interrupt();
            }
        });
    }

}
