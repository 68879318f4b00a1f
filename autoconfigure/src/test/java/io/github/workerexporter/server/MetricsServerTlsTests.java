package io.github.workerexporter.server;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.testing.RawHttp;

import static io.github.workerexporter.server.MetricsServerTestSupport.get;
import static io.github.workerexporter.server.MetricsServerTestSupport.https;
import static io.github.workerexporter.server.MetricsServerTestSupport.registryWithCounter;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MetricsServerTls}: HTTPS from PEM files and client certificates that
 * are really required (the original accepted the settings and ignored them).
 */
class MetricsServerTlsTests {

    @TempDir
    static Path directory;

    private static TestCertificates certificates;

    private MetricsServerManager manager;

    @BeforeAll
    static void createCertificates() throws Exception {
        certificates = TestCertificates.create(directory);
    }

    @AfterEach
    void stopServer() {
        if (this.manager != null) {
            this.manager.stop();
        }
    }

    @Test
    void servesHttpsWithTheCertificateFromPemFiles() throws Exception {
        int port = start(
                new MetricsServerTls(certificates.serverCertificate(), certificates.serverKey(), List.of(), false));
        assertThat(get(certificates.clientContext(false), port).status()).isEqualTo(200);
    }

    @Test
    void refusesAClientWithoutCertificateWhenClientAuthIsRequired() throws Exception {
        int port = start(new MetricsServerTls(certificates.serverCertificate(), certificates.serverKey(),
                List.of(certificates.ca()), true));
        assertThat(statusOrClosed(certificates.clientContext(false), port)).isEqualTo(RawHttp.CLOSED);
    }

    @Test
    void servesAClientWithACertificateOfTheClientCaWhenClientAuthIsRequired() throws Exception {
        int port = start(new MetricsServerTls(certificates.serverCertificate(), certificates.serverKey(),
                List.of(certificates.ca()), true));
        assertThat(get(certificates.clientContext(true), port).status()).isEqualTo(200);
    }

    @Test
    void servesAClientWithoutCertificateWhenAClientCaIsGivenButClientAuthIsNotRequired() throws Exception {
        int port = start(new MetricsServerTls(certificates.serverCertificate(), certificates.serverKey(),
                List.of(certificates.ca()), false));
        assertThat(get(certificates.clientContext(false), port).status()).isEqualTo(200);
    }

    @Test
    void refusesPlainHttpWhenTlsIsOn() throws Exception {
        int port = start(
                new MetricsServerTls(certificates.serverCertificate(), certificates.serverKey(), List.of(), false));
        assertThat(statusOrClosed(null, port)).isEqualTo(RawHttp.CLOSED);
    }

    /**
     * The status of {@code GET /metrics}, or {@link RawHttp#CLOSED} when the server gave
     * no HTTP answer (it closed the connection, or the TLS handshake failed).
     */
    private static int statusOrClosed(@Nullable SSLContext tls, int port) {
        try {
            return get(tls, port).status();
        }
        catch (IOException ex) {
            return RawHttp.CLOSED;
        }
    }

    private int start(MetricsServerTls tls) throws IOException {
        this.manager = new MetricsServerManager(registryWithCounter(), https(tls.createConfigurator()));
        assertThat(this.manager.start()).isTrue();
        return this.manager.getPort();
    }

}
