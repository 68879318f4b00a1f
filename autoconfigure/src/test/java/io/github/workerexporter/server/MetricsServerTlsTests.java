package io.github.workerexporter.server;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.github.workerexporter.server.MetricsServerTestSupport.get;
import static io.github.workerexporter.server.MetricsServerTestSupport.https;
import static io.github.workerexporter.server.MetricsServerTestSupport.registryWithCounter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

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
        assertThat(get(client(false), "https", port).statusCode()).isEqualTo(200);
    }

    @Test
    void refusesAClientWithoutCertificateWhenClientAuthIsRequired() throws Exception {
        int port = start(new MetricsServerTls(certificates.serverCertificate(), certificates.serverKey(),
                List.of(certificates.ca()), true));
        assertThatExceptionOfType(IOException.class).isThrownBy(() -> get(client(false), "https", port));
    }

    @Test
    void servesAClientWithACertificateOfTheClientCaWhenClientAuthIsRequired() throws Exception {
        int port = start(new MetricsServerTls(certificates.serverCertificate(), certificates.serverKey(),
                List.of(certificates.ca()), true));
        assertThat(get(client(true), "https", port).statusCode()).isEqualTo(200);
    }

    @Test
    void servesAClientWithoutCertificateWhenAClientCaIsGivenButClientAuthIsNotRequired() throws Exception {
        int port = start(new MetricsServerTls(certificates.serverCertificate(), certificates.serverKey(),
                List.of(certificates.ca()), false));
        assertThat(get(client(false), "https", port).statusCode()).isEqualTo(200);
    }

    @Test
    void refusesPlainHttpWhenTlsIsOn() throws Exception {
        int port = start(
                new MetricsServerTls(certificates.serverCertificate(), certificates.serverKey(), List.of(), false));
        assertThatExceptionOfType(IOException.class).isThrownBy(() -> get(port));
    }

    private int start(MetricsServerTls tls) throws IOException {
        this.manager = new MetricsServerManager(registryWithCounter(), https(tls.createConfigurator()));
        assertThat(this.manager.start()).isTrue();
        return this.manager.getPort();
    }

    private static HttpClient client(boolean withClientCertificate) throws IOException {
        return HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(certificates.clientContext(withClientCertificate))
            .build();
    }

}
