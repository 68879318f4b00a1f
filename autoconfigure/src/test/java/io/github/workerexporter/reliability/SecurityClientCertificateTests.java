package io.github.workerexporter.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.workerexporter.server.MetricsServerManager;
import io.github.workerexporter.server.MetricsServerSettings;
import io.github.workerexporter.server.MetricsServerTls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Client certificates on the metrics server when they are required: only a certificate
 * for client authentication that chains to a configured client CA gets the metrics; no
 * certificate, one of another CA, a self-signed one, or one of the right CA that is only
 * for server authentication ends the connection before any metric is sent, over TLSv1.2
 * and TLSv1.3 (where the server checks the certificate after the client's handshake has
 * completed).
 *
 * @author Worker Exporter
 */
class SecurityClientCertificateTests {

    @TempDir
    static Path directory;

    private static SecurityCertificates certificates;

    private @Nullable MetricsServerManager manager;

    @BeforeAll
    static void createCertificates() throws Exception {
        certificates = SecurityCertificates.create(directory);
    }

    @AfterEach
    void stopServer() {
        if (this.manager != null) {
            this.manager.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "TLSv1.2", "TLSv1.3" })
    void servesAClientCertificateOfTheClientCa(String protocol) throws Exception {
        int port = start(true);
        HttpResponse<String> response = get(port, "client", protocol);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("mtls_probe_total 1.0");
    }

    @ParameterizedTest
    @CsvSource({ "none, TLSv1.2", "none, TLSv1.3", "other-client, TLSv1.2", "other-client, TLSv1.3",
            "self-signed, TLSv1.2", "self-signed, TLSv1.3", "server-only, TLSv1.2", "server-only, TLSv1.3" })
    void refusesAClientWithoutATrustedClientCertificate(String certificate, String protocol) throws Exception {
        int port = start(true);
        assertThatExceptionOfType(IOException.class)
            .isThrownBy(() -> get(port, "none".equals(certificate) ? null : certificate, protocol));
        if (!"none".equals(certificate) && "TLSv1.3".equals(protocol)) {
            assertThat(presentedAndAnswered(port, certificate))
                .as("the client presented its certificate and got no answer")
                .isEmpty();
        }
        assertThat(get(port, "client", protocol).statusCode()).as("the server still serves a trusted client")
            .isEqualTo(200);
    }

    @Test
    void refusesACertificateOfAnotherCaEvenWhenClientCertificatesAreOnlyRequested() throws Exception {
        int port = start(false);
        assertThat(get(port, null, "TLSv1.3").statusCode()).isEqualTo(200);
        assertThatExceptionOfType(IOException.class).isThrownBy(() -> get(port, "other-client", "TLSv1.3"));
    }

    /**
     * Over TLSv1.3 the client's handshake completes before the server checks its
     * certificate: check that the certificate was presented, then ask for the metrics.
     * @return what the server answered, empty when it closed the connection
     */
    private static String presentedAndAnswered(int port, String certificate) throws IOException {
        try (SSLSocket socket = (SSLSocket) certificates.clientContext(certificate)
            .getSocketFactory()
            .createSocket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            socket.setEnabledProtocols(new String[] { "TLSv1.3" });
            socket.startHandshake();
            assertThat(socket.getSession().getLocalCertificates()).as("certificate presented").isNotEmpty();
            try {
                socket.getOutputStream()
                    .write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            }
            catch (IOException ex) {
                return "";
            }
        }
    }

    private int start(boolean required) throws IOException {
        MetricsServerTls tls = new MetricsServerTls(certificates.serverCertificate(), certificates.serverKey(),
                List.of(certificates.ca()), required);
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("mtls_probe").help("A counter").register(registry).inc();
        this.manager = new MetricsServerManager(registry, new MetricsServerSettings("127.0.0.1", 0, "/metrics", 1,
                Duration.ZERO, true, tls.createConfigurator(), null));
        assertThat(this.manager.start()).isTrue();
        return this.manager.getPort();
    }

    private static HttpResponse<String> get(int port, @Nullable String certificate, String protocol)
            throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .sslContext(certificates.clientContext(certificate))
            .sslParameters(new SSLParameters(null, new String[] { protocol }))
            .build();
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/metrics"))
            .timeout(Duration.ofSeconds(20))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

}
