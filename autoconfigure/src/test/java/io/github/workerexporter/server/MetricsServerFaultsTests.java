package io.github.workerexporter.server;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.management.UnixOperatingSystemMXBean;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static io.github.workerexporter.server.MetricsServerFaultsSupport.PATIENCE;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.applicationPort;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.closeAll;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.complete;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.exchangesBlocked;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.gated;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.join;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.metricsPort;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.padding;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.scrape;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.scrapeAsync;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.slowReader;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.stalled;
import static io.github.workerexporter.server.MetricsServerFaultsSupport.work;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The metrics server of a running application (Tomcat, every auto-configuration) under
 * abuse, over real sockets on loopback: the application's own port keeps serving, other
 * scrapes get their whole exposition, and the metrics port recovers once the abuse stops.
 *
 * @author Worker Exporter
 */
class MetricsServerFaultsTests {

    /** Only the marker counter, so that scrapes stay small beside a large exposition. */
    private static final String MARKER = "?name[]=fault_marker_total";

    /** Longest wait for an application to start on a loaded machine. */
    private static final Duration START_UP = Duration.ofMinutes(3);

    private final HttpClient client = MetricsServerFaultsSupport.client();

    private final List<Socket> hostile = new ArrayList<>();

    private final CountDownLatch gate = new CountDownLatch(1);

    private ConfigurableApplicationContext context;

    private int metricsPort;

    private int applicationPort;

    @AfterEach
    void stopApplication() {
        this.gate.countDown();
        closeAll(this.hostile);
        if (this.context != null) {
            this.context.close();
        }
    }

    @Test
    void twoHundredConcurrentScrapesAllGetTheWholeExpositionWhileTheApplicationServes() throws Exception {
        start(MetricsServerFaultsSupport.run());
        AtomicInteger collecting = new AtomicInteger();
        registry().register(gated("fault_gate", this.gate, collecting));
        List<CompletableFuture<HttpResponse<String>>> scrapes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            scrapes.add(scrapeAsync(this.client, this.metricsPort, ""));
        }
        int threads = MetricsServerLimits.DEFAULTS.threads();
        await().atMost(PATIENCE).until(() -> collecting.get() >= threads);
        for (int i = 0; i < 5; i++) {
            work(this.client, this.applicationPort, "during-" + i);
        }
        assertThat(scrapes).as("scrapes answered or refused while the gate was closed")
            .noneMatch(CompletableFuture::isDone);
        assertThat(collecting.get()).as("collections at once").isEqualTo(threads);
        this.gate.countDown();
        for (HttpResponse<String> response : join(scrapes)) {
            assertThat(complete(response)).contains("fault_marker_total 1.0", "fault_gate 1.0");
        }
        assertThat(collecting.get()).isEqualTo(200);
    }

    @Test
    void clientsThatNeverReadTheirResponseStallNeitherOtherScrapesNorTheApplication() throws Exception {
        start(MetricsServerFaultsSupport.runPatient());
        registry().register(padding("fault_padding"));
        int readers = 12;
        for (int i = 0; i < readers; i++) {
            this.hostile.add(slowReader(this.metricsPort, ""));
        }
        await().atMost(PATIENCE).until(() -> exchangesBlocked(true) >= readers);
        for (int i = 0; i < 5; i++) {
            assertThat(scrape(this.client, this.metricsPort, MARKER)).contains("fault_marker_total 1.0");
            work(this.client, this.applicationPort, "during-" + i);
        }
        assertThat(exchangesBlocked(true)).as("responses still stalled").isGreaterThanOrEqualTo(readers);
        closeAll(this.hostile);
        await().atMost(PATIENCE).until(() -> exchangesBlocked(true) == 0);
        assertThat(scrape(this.client, this.metricsPort, MARKER)).contains("fault_marker_total 1.0");
    }

    @Test
    void clientsThatSendHalfARequestStallNeitherOtherScrapesNorTheApplication() throws Exception {
        start(MetricsServerFaultsSupport.runPatient());
        int stalledClients = 12;
        for (int i = 0; i < stalledClients; i++) {
            String half = (i % 2 == 0) ? "GET /metr" : "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n";
            this.hostile.add(stalled(this.metricsPort, half));
        }
        await().atMost(PATIENCE).until(() -> exchangesBlocked(false) >= stalledClients);
        for (int i = 0; i < 5; i++) {
            assertThat(scrape(this.client, this.metricsPort, MARKER)).contains("fault_marker_total 1.0");
            work(this.client, this.applicationPort, "during-" + i);
        }
        assertThat(exchangesBlocked(false)).as("requests still stalled").isGreaterThanOrEqualTo(stalledClients);
        closeAll(this.hostile);
        await().atMost(PATIENCE).until(() -> exchangesBlocked(false) == 0);
        assertThat(scrape(this.client, this.metricsPort, "")).contains("fault_marker_total 1.0");
    }

    @Test
    void idleConnectionsThatSendNothingHoldNoThreadAndStallNothing() throws Exception {
        start(MetricsServerFaultsSupport.run());
        int idle = idleConnections();
        for (int i = 0; i < idle; i++) {
            this.hostile.add(stalled(this.metricsPort, ""));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(scrape(this.client, this.metricsPort, "")).contains("fault_marker_total 1.0");
            work(this.client, this.applicationPort, "during-" + i);
        }
        assertThat(exchangesBlocked(false)).as("threads reading a request").isZero();
        assertThat(this.hostile).as("idle connections still open").noneMatch(Socket::isClosed);
    }

    @Test
    void closingTheApplicationDuringScrapesAndAbuseEndsPromptlyAndFreesThePort() throws Exception {
        start(MetricsServerFaultsSupport.run());
        AtomicInteger collecting = new AtomicInteger();
        registry().register(gated("fault_gate", this.gate, collecting));
        List<CompletableFuture<HttpResponse<String>>> stuck = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            stuck.add(scrapeAsync(this.client, this.metricsPort, ""));
            this.hostile.add(stalled(this.metricsPort, "GET /metrics HTTP/1.1\r\n"));
            this.hostile.add(stalled(this.metricsPort, ""));
        }
        await().atMost(PATIENCE).until(() -> collecting.get() >= 10 && exchangesBlocked(false) >= 10);
        AtomicBoolean closing = new AtomicBoolean();
        List<Outcome> outcomes = new ArrayList<>();
        CompletableFuture<Void> scraper = CompletableFuture.runAsync(() -> scrapeUntilRefused(closing, outcomes));
        await().atMost(PATIENCE).until(() -> outcomesSize(outcomes) >= 3);
        closing.set(true);
        CompletableFuture.runAsync(this.context::close).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(this.gate.getCount()).as("closed while collections still waited").isOne();
        for (CompletableFuture<HttpResponse<String>> scrape : stuck) {
            assertThatExceptionOfType(ExecutionException.class)
                .isThrownBy(() -> scrape.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .withCauseInstanceOf(IOException.class);
        }
        scraper.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        synchronized (outcomes) {
            assertThat(outcomes).allSatisfy((outcome) -> {
                if (outcome.response() != null) {
                    assertThat(complete(outcome.response())).contains("fault_marker_total 1.0");
                }
                else {
                    assertThat(outcome.failure()).isInstanceOf(IOException.class);
                }
            });
        }
        try (ServerSocket port = new ServerSocket(this.metricsPort, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(port.getLocalPort()).isEqualTo(this.metricsPort);
        }
    }

    @Test
    void bindsThePortFreedDuringItsRetriesWhileTheApplicationAlreadyServes() throws Exception {
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        int port = taken.getLocalPort();
        // Start-up on a thread of its own, not the common pool: its retries wait in
        // Object.wait, which the pool does not compensate, and since Java 25 the HTTP
        // client completes sendAsync on that pool (one thread on 2 CPUs), so the
        // requests below would wait for the start-up.
        FutureTask<ConfigurableApplicationContext> running;
        try {
            AtomicInteger served = new AtomicInteger();
            SpringApplicationBuilder application = MetricsServerFaultsSupport
                .application("exporter.prometheus.metrics-port=" + port, "exporter.prometheus.bind-attempts=1000",
                        "exporter.prometheus.bind-backoff=10ms")
                .listeners((ApplicationListener<ApplicationEvent>) (event) -> {
                    if (event instanceof WebServerInitializedEvent initialized) {
                        served.set(initialized.getWebServer().getPort());
                    }
                });
            running = new FutureTask<>(application::run);
            new Thread(running, "application-start").start();
            await().atMost(START_UP).until(() -> served.get() > 0);
            for (int i = 0; i < 3; i++) {
                work(this.client, served.get(), "while-retrying-" + i);
            }
            assertThat(running).as("start-up still retrying the metrics port").isNotDone();
        }
        finally {
            taken.close();
        }
        start(running.get(START_UP.toSeconds(), TimeUnit.SECONDS));
        assertThat(this.metricsPort).isEqualTo(port);
        assertThat(scrape(this.client, port, "")).contains("fault_marker_total 1.0");
    }

    private void scrapeUntilRefused(AtomicBoolean closing, List<Outcome> outcomes) {
        boolean refused = false;
        while (!refused) {
            Outcome outcome;
            try {
                outcome = new Outcome(
                        scrapeAsync(this.client, this.metricsPort, MARKER).get(PATIENCE.toSeconds(), TimeUnit.SECONDS),
                        null);
            }
            catch (ExecutionException ex) {
                outcome = new Outcome(null, ex.getCause());
                refused = closing.get();
            }
            catch (Exception ex) {
                outcome = new Outcome(null, ex);
                refused = true;
            }
            synchronized (outcomes) {
                outcomes.add(outcome);
            }
        }
    }

    private static int outcomesSize(List<Outcome> outcomes) {
        synchronized (outcomes) {
            return outcomes.size();
        }
    }

    private void start(ConfigurableApplicationContext context) {
        this.context = context;
        this.metricsPort = metricsPort(context);
        this.applicationPort = applicationPort(context);
        Counter.builder().name("fault_marker").help("Marks the scrapes of the test").register(registry()).inc();
    }

    private PrometheusRegistry registry() {
        return this.context.getBean(PrometheusRegistry.class);
    }

    /**
     * 500 idle connections, or fewer if this process may not open three descriptors for
     * each (the client's, the server's, and room for the rest).
     */
    private static int idleConnections() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
            return (int) Math.min(500, free / 3);
        }
        return 500;
    }

    /**
     * What one scrape got: a response, or a failure.
     */
    private record Outcome(@Nullable HttpResponse<String> response, @Nullable Throwable failure) {

    }

}
