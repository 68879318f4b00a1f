package io.github.workerexporter.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.workerexporter.hooks.FatalHookFailure;
import io.github.workerexporter.testing.RawHttp;

import static io.github.workerexporter.server.MetricsServerTestSupport.get;
import static io.github.workerexporter.server.MetricsServerTestSupport.registryWithCounter;
import static io.github.workerexporter.server.MetricsServerTestSupport.retrying;
import static io.github.workerexporter.server.MetricsServerTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link MetricsServerManager} with real HTTP on loopback.
 */
class MetricsServerManagerTests {

    private MetricsServerManager manager;

    @AfterEach
    void stopServer() {
        if (this.manager != null) {
            this.manager.stop();
        }
    }

    @Test
    void servesTheTextExpositionOfTheRegistryAtTheMetricsPath() throws Exception {
        int port = start(settings(0));
        RawHttp.Response response = get(port);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().get("content-type")).startsWith("text/plain");
        assertThat(text(response.body())).contains("# TYPE test_requests_total counter", "test_requests_total 3.0");
    }

    @Test
    void servesOpenMetricsWhenTheClientAcceptsIt() throws Exception {
        int port = start(settings(0));
        RawHttp.Response response = get(port, "Accept", "application/openmetrics-text; version=1.0.0");
        assertThat(response.headers().get("content-type")).startsWith("application/openmetrics-text");
        assertThat(text(response.body())).contains("# TYPE test_requests counter").endsWith("# EOF\n");
    }

    @Test
    void compressesWithGzipWhenTheClientAcceptsIt() throws Exception {
        int port = start(settings(0));
        RawHttp.Response response = get(port, "Accept-Encoding", "gzip");
        assertThat(response.headers().get("content-encoding")).isEqualTo("gzip");
        try (GZIPInputStream gzip = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
            assertThat(text(gzip.readAllBytes())).contains("test_requests_total 3.0");
        }
    }

    @Test
    void picksAFreePortWhenThePortIsZero() {
        int port = start(settings(0));
        assertThat(port).isPositive();
        assertThat(this.manager.isRunning()).isTrue();
    }

    @Test
    void freesThePortWhenStopped() throws IOException {
        int port = start(settings(0));
        this.manager.stop();
        assertThat(this.manager.isRunning()).isFalse();
        assertThat(this.manager.getPort()).isEqualTo(-1);
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void doesNotStartAgainOnceStopped() {
        start(settings(0));
        this.manager.stop();
        assertThat(this.manager.start()).isFalse();
        assertThat(this.manager.isRunning()).isFalse();
    }

    @Test
    void failsWithAFatalHookFailureWhenThePortStaysTakenAfterAllAttempts() throws IOException {
        try (ServerSocket taken = takenPort()) {
            this.manager = new MetricsServerManager(registryWithCounter(), retrying(taken.getLocalPort(), 3, true));
            assertThatExceptionOfType(MetricsServerBindException.class).isThrownBy(this.manager::start)
                .isInstanceOf(FatalHookFailure.class)
                .satisfies((ex) -> {
                    assertThat(ex.getPort()).isEqualTo(taken.getLocalPort());
                    assertThat(ex.getBindAddress()).isEqualTo("127.0.0.1");
                    assertThat(ex.getAttempts()).isEqualTo(3);
                });
            assertThat(this.manager.isRunning()).isFalse();
        }
    }

    @Test
    void runsWithoutTheServerWhenThePortStaysTakenInWarnMode() throws IOException {
        try (ServerSocket taken = takenPort()) {
            this.manager = new MetricsServerManager(registryWithCounter(), retrying(taken.getLocalPort(), 2, false));
            assertThat(this.manager.start()).isFalse();
            assertThat(this.manager.isRunning()).isFalse();
        }
    }

    @Test
    void stopEndsARetryThatIsWaiting() throws Exception {
        try (ServerSocket taken = takenPort()) {
            MetricsServerSettings slow = new MetricsServerSettings("127.0.0.1", taken.getLocalPort(), "/metrics", 5,
                    Duration.ofMinutes(10), true, null, null);
            this.manager = new MetricsServerManager(registryWithCounter(), slow);
            AtomicReference<Thread> starter = new AtomicReference<>();
            CompletableFuture<Boolean> started = CompletableFuture.supplyAsync(() -> {
                starter.set(Thread.currentThread());
                return this.manager.start();
            });
            await().until(() -> starter.get() != null && starter.get().getState() == Thread.State.TIMED_WAITING);
            this.manager.stop();
            assertThat(started.get()).isFalse();
        }
    }

    private int start(MetricsServerSettings settings) {
        this.manager = new MetricsServerManager(registryWithCounter(), settings);
        assertThat(this.manager.start()).isTrue();
        return this.manager.getPort();
    }

    private static ServerSocket takenPort() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    }

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

}
