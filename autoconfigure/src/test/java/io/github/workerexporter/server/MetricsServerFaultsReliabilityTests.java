package io.github.workerexporter.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static io.github.workerexporter.server.MetricsServerFaultsSupport.PATIENCE;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.applicationPort;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.closeAll;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.complete;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.exchangesBlocked;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.metricsPort;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.padding;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.scrape;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.scrapeAsync;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.slowReader;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.stalled;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.work;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The metrics server of a running application with its default
 * {@link MetricsServerLimits}, under more stalled clients than it has threads: they are
 * cut once their network time is up (10 seconds), so this runs in the reliability suite.
 *
 * @author Worker Exporter
 */
@Tag("reliability")
@ExtendWith(OutputCaptureExtension.class)
class MetricsServerFaultsReliabilityTests {

    private static final String MARKER = "?name[]=fault_marker_total";

    private final HttpClient client = MetricsServerFaultsSupport.client();

    private final List<Socket> hostile = new ArrayList<>();

    private ConfigurableApplicationContext context;

    @AfterEach
    void stopApplication() {
        closeAll(this.hostile);
        if (this.context != null) {
            this.context.close();
        }
    }

    @Test
    void stalledClientsBeyondTheDefaultThreadsDelayScrapesOnlyUntilTheirNetworkTimeIsUp(CapturedOutput output)
            throws Exception {
        this.context = MetricsServerFaultsSupport.run();
        int metricsPort = metricsPort(this.context);
        int applicationPort = applicationPort(this.context);
        PrometheusRegistry registry = this.context.getBean(PrometheusRegistry.class);
        Counter.builder().name("fault_marker").help("Marks the scrapes of the test").register(registry).inc();
        registry.register(padding("fault_padding"));
        int threads = MetricsServerLimits.DEFAULTS.threads();
        List<Socket> halfRequests = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            halfRequests.add(stalled(metricsPort, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
        }
        for (int i = 0; i < 8; i++) {
            this.hostile.add(slowReader(metricsPort, ""));
        }
        this.hostile.addAll(halfRequests);
        await().atMost(PATIENCE).until(() -> exchangesBlocked(false) + exchangesBlocked(true) >= threads);
        CompletableFuture<HttpResponse<String>> waiting = scrapeAsync(this.client, metricsPort, MARKER);
        for (int i = 0; i < 5; i++) {
            work(this.client, applicationPort, "while-stalled-" + i);
        }
        HttpResponse<String> response = waiting.get(PATIENCE.multipliedBy(2).toSeconds(), TimeUnit.SECONDS);
        assertThat(complete(response)).contains("fault_marker_total 1.0");
        assertThat(this.hostile).as("stalled clients still holding their sockets").noneMatch(Socket::isClosed);
        assertThat(output).contains("Metrics server closed a connection that spent more than 10000 ms");
        for (Socket half : halfRequests) {
            assertThat(readUntilClosed(half)).as("bytes answered to half a request").isZero();
        }
        closeAll(this.hostile);
        await().atMost(PATIENCE).until(() -> exchangesBlocked(false) + exchangesBlocked(true) == 0);
        for (int i = 0; i < 5; i++) {
            assertThat(scrape(this.client, metricsPort, MARKER)).contains("fault_marker_total 1.0");
        }
    }

    /**
     * Read until the server closes the connection, at most twice
     * {@link MetricsServerFaultsSupport#PATIENCE}.
     * @return how many bytes came
     */
    private static long readUntilClosed(Socket socket) throws IOException {
        socket.setSoTimeout((int) Duration.ofSeconds(PATIENCE.toSeconds() * 2).toMillis());
        long read = 0;
        byte[] buffer = new byte[8192];
        InputStream in = socket.getInputStream();
        try {
            for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
                read += n;
            }
        }
        catch (SocketException ex) {
            // reset by the server: closed too
        }
        return read;
    }

}
