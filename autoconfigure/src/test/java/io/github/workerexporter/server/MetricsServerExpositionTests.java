package io.github.workerexporter.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusProtobufWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.github.workerexporter.testing.RawHttp;

import static io.github.workerexporter.server.MetricsServerTestSupport.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The metrics server's body, over real HTTP on loopback: what client_java's writers write
 * for each negotiated format, streamed in chunks, gzip-compressed on request, its length
 * on HEAD, filtered by {@code name[]}, and a client that leaves mid-body.
 */
@ExtendWith(OutputCaptureExtension.class)
class MetricsServerExpositionTests {

    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusRegistry registry = registry(400);

    private MetricsServerManager manager;

    @AfterEach
    void stopServer() {
        if (this.manager != null) {
            this.manager.stop();
        }
    }

    @Test
    void streamsTheTextFormatAsClientJavaWritesIt() throws Exception {
        RawHttp.Response response = MetricsServerTestSupport.get(start());
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().get("transfer-encoding")).isEqualTo("chunked");
        assertThat(response.headers().get("content-type")).isEqualTo(PrometheusTextFormatWriter.CONTENT_TYPE);
        assertThat(response.text()).isEqualTo(expected(PrometheusTextFormatWriter.create()));
    }

    @Test
    void streamsOpenMetricsAsClientJavaWritesItWhenAccepted() throws Exception {
        RawHttp.Response response = MetricsServerTestSupport.get(start(), "Accept", OPENMETRICS);
        assertThat(response.headers().get("content-type")).isEqualTo(OpenMetricsTextFormatWriter.CONTENT_TYPE);
        assertThat(response.text()).isEqualTo(expected(OpenMetricsTextFormatWriter.create())).endsWith("# EOF\n");
    }

    @Test
    void answersProtobufThroughClientJavaWhenAccepted() throws Exception {
        RawHttp.Response response = MetricsServerTestSupport.get(start(), "Accept",
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited");
        assertThat(response.headers().get("content-type")).startsWith("application/vnd.google.protobuf");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        new PrometheusProtobufWriter().write(expected, this.registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        assertThat(response.body()).isEqualTo(expected.toByteArray());
    }

    @Test
    void compressesTheStreamWithGzipWhenAccepted() throws Exception {
        RawHttp.Response response = MetricsServerTestSupport.get(start(), "Accept", OPENMETRICS, "Accept-Encoding",
                "deflate, gzip");
        assertThat(response.headers().get("content-encoding")).isEqualTo("gzip");
        assertThat(response.headers().get("transfer-encoding")).isEqualTo("chunked");
        try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
            assertThat(new String(gzip.readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo(expected(OpenMetricsTextFormatWriter.create()));
        }
    }

    @Test
    void answersHeadWithTheLengthOfTheBodyAndNoBody() throws Exception {
        int port = start();
        RawHttp.Response response = RawHttp.get(port, "/metrics");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(MetricsServerTestSupport.LOOPBACK, port));
            socket.getOutputStream()
                .write("HEAD /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String head = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(head).startsWith("HTTP/1.1 200 ")
                .containsIgnoringCase("content-type: " + PrometheusTextFormatWriter.CONTENT_TYPE + "\r\n")
                .containsIgnoringCase("content-length: " + response.body().length + "\r\n")
                .endsWith("\r\n\r\n");
        }
    }

    @Test
    void writesOnlyTheFamiliesNamedByNameFilters() throws Exception {
        RawHttp.Response response = RawHttp.get(start(), "/metrics?name[]=filter_requests_total&name[]=nothing");
        assertThat(response.text()).isEqualTo("""
                # HELP filter_requests_total Requests
                # TYPE filter_requests_total counter
                filter_requests_total 7.0
                """);
    }

    @Test
    void logsAClientThatLeavesMidBodyAtDebugAndServesTheNext(CapturedOutput output) throws Exception {
        int port = start();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(MetricsServerTestSupport.LOOPBACK, port));
            OutputStream out = socket.getOutputStream();
            out.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(socket.getInputStream().readNBytes(4096)).hasSize(4096);
            socket.setSoLinger(true, 0);
        }
        await().until(() -> MetricsServerTestSupport.get(port).status() == 200);
        assertThat(MetricsServerTestSupport.get(port).text()).isEqualTo(expected(PrometheusTextFormatWriter.create()));
        assertThat(output).doesNotContain("SEVERE", "ERROR", "caught an Exception");
    }

    private int start() {
        this.manager = new MetricsServerManager(this.registry, settings(0));
        this.manager.start();
        return this.manager.getPort();
    }

    private String expected(ExpositionFormatWriter writer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.write(out, this.registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static PrometheusRegistry registry(int workers) {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("filter_requests").help("Requests").register(registry).inc(7);
        Histogram duration = Histogram.builder()
            .name("duration_seconds")
            .help("Duration, \"quoted\"\nand ü")
            .labelNames("worker_id", "path")
            .register(registry);
        for (int i = 0; i < workers; i++) {
            duration.labelValues("worker-" + i, "/päth\\" + (i % 7)).observe(i / 97.0);
        }
        return registry;
    }

}
