package io.github.workerexporter.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLParameters;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.workerexporter.server.MetricsServerManager;
import io.github.workerexporter.server.MetricsServerSettings;
import io.github.workerexporter.server.MetricsServerTls;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The protocols and cipher suites of the metrics server's TLS. TLSv1.2 and TLSv1.3 serve
 * the metrics; TLSv1 and TLSv1.1, CBC suites and key exchanges without forward secrecy
 * (RSA, static ECDH) are refused by the server itself: the refusals are checked in a JVM
 * whose {@code java.security} allows all of them again ({@link SecurityTlsProbe}), where
 * a plain JSSE server with the JVM's defaults accepts each one, so a refusal cannot come
 * from the JDK's own {@code jdk.tls.disabledAlgorithms}.
 *
 * @author Worker Exporter
 */
class SecurityTlsProtocolTests {

    /**
     * What the metrics server must accept, by certificate: the protocol it must negotiate
     * for each probe.
     */
    private static final Map<String, Map<String, String>> ACCEPTED = Map.of("server",
            Map.of("TLSv1.3 any", "TLSv1.3", "TLSv1.2 any", "TLSv1.2",
                    "TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLSv1.2",
                    "TLSv1.2 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLSv1.2"),
            "rsa-server",
            Map.of("TLSv1.3 any", "TLSv1.3", "TLSv1.2 any", "TLSv1.2", "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                    "TLSv1.2", "TLSv1.2 TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2"));

    /**
     * What the metrics server must refuse although the JVM's defaults accept it.
     */
    private static final Map<String, Set<String>> WEAK = Map.of("server",
            Set.of("TLSv1.1 any", "TLSv1 any", "TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
                    "TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLSv1.2 TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256"),
            "rsa-server", Set.of("TLSv1.1 any", "TLSv1 any", "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
                    "TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2 TLS_RSA_WITH_AES_256_CBC_SHA256"));

    @TempDir
    static Path directory;

    private static SecurityCertificates certificates;

    @BeforeAll
    static void createCertificates() throws Exception {
        certificates = SecurityCertificates.shared();
    }

    @ParameterizedTest
    @ValueSource(strings = { "TLSv1.2", "TLSv1.3" })
    void servesTheMetricsOverAModernProtocol(String protocol) throws Exception {
        MetricsServerTls tls = new MetricsServerTls(certificates.serverCertificate(), certificates.serverKey(),
                List.of(), false);
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("tls_probe").help("A counter").register(registry).inc();
        try (MetricsServerManager manager = new MetricsServerManager(registry, new MetricsServerSettings("127.0.0.1", 0,
                "/metrics", 1, Duration.ZERO, true, tls.createConfigurator(), null))) {
            assertThat(manager.start()).isTrue();
            HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(certificates.clientContext(null))
                .sslParameters(new SSLParameters(null, new String[] { protocol }))
                .build();
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + manager.getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("tls_probe_total 1.0");
            assertThat(response.sslSession())
                .hasValueSatisfying((session) -> assertThat(session.getProtocol()).isEqualTo(protocol));
        }
    }

    @Test
    void refusesOldProtocolsAndWeakCipherSuitesThatTheJvmWouldAccept() throws Exception {
        Map<String, String> metricsServer = new HashMap<>();
        Map<String, String> control = new HashMap<>();
        for (String line : probe()) {
            String[] fields = line.substring(SecurityTlsProbe.RESULT.length()).split(" ", 5);
            String key = fields[1] + " " + fields[2] + " " + fields[3];
            ("control".equals(fields[0]) ? control : metricsServer).put(key, fields[4]);
        }
        assertThat(metricsServer).hasSize(2 * SecurityTlsProbe.PROBES.size());
        for (String certificate : List.of("server", "rsa-server")) {
            for (String probe : SecurityTlsProbe.PROBES) {
                String key = certificate + " " + probe;
                String accepted = ACCEPTED.get(certificate).get(probe);
                if (accepted != null) {
                    assertThat(metricsServer.get(key)).as(key).startsWith("accepted " + accepted + " ");
                }
                else {
                    assertThat(metricsServer.get(key)).as(key).startsWith("refused ");
                }
                if (WEAK.get(certificate).contains(probe)) {
                    assertThat(control.get(key)).as("the JVM's defaults accept " + key).startsWith("accepted ");
                }
            }
        }
        assertThat(metricsServer.get("server TLSv1.2 any")).doesNotContain("_CBC_");
        assertThat(metricsServer.get("rsa-server TLSv1.2 any")).doesNotContain("_CBC_");
    }

    /**
     * Run {@link SecurityTlsProbe} in a JVM that allows the old protocols and suites.
     */
    private static List<String> probe() throws IOException, InterruptedException {
        Path security = directory.resolve("legacy-tls.security");
        Files.writeString(security, "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, 3DES_EDE_CBC, anon, NULL\n");
        Path log = directory.resolve("probe.log");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Djava.security.properties=" + security, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), SecurityTlsProbe.class.getName(),
                certificates.directory().toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the TLS probe did not finish: " + Files.readString(log));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        return output.lines().filter((line) -> line.startsWith(SecurityTlsProbe.RESULT)).toList();
    }

}
