package io.github.workerexporter.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.workerexporter.server.MetricsServerManager;
import io.github.workerexporter.server.MetricsServerSettings;
import io.github.workerexporter.server.MetricsServerTls;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

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

    private static SecurityCertificates certificates;

    private @Nullable MetricsServerManager manager;

    @BeforeAll
    static void createCertificates() throws Exception {
        certificates = SecurityCertificates.shared();
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
        if (!"none".equals(certificate)) {
            assertThat(presentedAndAnswered(port, certificate, protocol))
                .as("the client sent its certificate and got no answer")
                .isEqualTo("sent:");
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
     * Connect with a client whose key manager records which certificate it sends, and ask
     * for the metrics. Over TLSv1.3 the client's handshake may complete before the server
     * checks the certificate, so the refusal can come at any step.
     * @return whether the certificate was sent and what the server answered, empty when
     * it ended the connection
     */
    private static String presentedAndAnswered(int port, String certificate, String protocol) throws Exception {
        SslBundle bundle = SslBundle.of(new PemSslStoreBundle(
                new PemSslStoreDetails(null, "file:" + certificates.file(certificate + ".pem"),
                        "file:" + certificates.file(certificate + ".key")),
                PemSslStoreDetails.forCertificates("file:" + certificates.ca())));
        RecordingKeyManager keyManager = new RecordingKeyManager(
                (X509ExtendedKeyManager) bundle.getManagers().getKeyManagers()[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(new KeyManager[] { keyManager }, bundle.getManagers().getTrustManagers(), null);
        String answer;
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory()
            .createSocket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            socket.setEnabledProtocols(new String[] { protocol });
            socket.startHandshake();
            socket.getOutputStream()
                .write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
        catch (IOException ex) {
            answer = "";
        }
        return ((keyManager.sent.get() != null) ? "sent" : "not sent") + ":" + answer;
    }

    /**
     * A client key manager that remembers the alias of the certificate it chose to send.
     */
    private static final class RecordingKeyManager extends X509ExtendedKeyManager {

        private final X509ExtendedKeyManager delegate;

        private final AtomicReference<@Nullable String> sent = new AtomicReference<>();

        RecordingKeyManager(X509ExtendedKeyManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return this.delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public @Nullable String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return record(this.delegate.chooseClientAlias(keyType, issuers, socket));
        }

        @Override
        public @Nullable String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return record(this.delegate.chooseEngineClientAlias(keyType, issuers, engine));
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return this.delegate.getServerAliases(keyType, issuers);
        }

        @Override
        public @Nullable String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return this.delegate.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return this.delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return this.delegate.getPrivateKey(alias);
        }

        private @Nullable String record(@Nullable String alias) {
            if (alias != null) {
                this.sent.set(alias);
            }
            return alias;
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
