package io.github.workerexporter.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import io.prometheus.metrics.model.registry.PrometheusRegistry;

import io.github.workerexporter.server.MetricsServerManager;
import io.github.workerexporter.server.MetricsServerSettings;
import io.github.workerexporter.server.MetricsServerTls;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * A JVM of its own for {@link SecurityTlsProtocolTests}, started with a
 * {@code java.security} that allows TLSv1, TLSv1.1 and static ECDH again, so that what is
 * refused is refused by the metrics server's configuration, not by the JVM. For the EC
 * and the RSA certificate of the test CA it starts the metrics server
 * ({@link MetricsServerTls}) and, as the control, a plain JSSE server socket with the
 * JVM's defaults, then hands each a client that offers only one protocol and, optionally,
 * one cipher suite. One line per attempt on standard output:
 * {@code RESULT <server> <certificate> <protocol> <suite|any> accepted <protocol> <suite>}
 * or {@code RESULT ... refused <exception>}.
 *
 * @author Worker Exporter
 */
public final class SecurityTlsProbe {

    static final String RESULT = "RESULT ";

    static final List<String> PROBES = List.of("TLSv1.3 any", "TLSv1.2 any", "TLSv1.1 any", "TLSv1 any",
            "TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLSv1.2 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLSv1.2 TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256", "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLSv1.2 TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256", "TLSv1.2 TLS_RSA_WITH_AES_256_CBC_SHA256");

    private SecurityTlsProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        SSLContext client = SslBundle
            .of(new PemSslStoreBundle(null, PemSslStoreDetails.forCertificates(read(directory, "ca.pem"))))
            .createSslContext();
        for (String certificate : List.of("server", "rsa-server")) {
            Path certfile = directory.resolve(certificate + ".pem");
            Path keyfile = directory.resolve(certificate + ".key");
            MetricsServerTls tls = new MetricsServerTls(certfile, keyfile, List.of(), false);
            try (MetricsServerManager manager = new MetricsServerManager(new PrometheusRegistry(),
                    new MetricsServerSettings("127.0.0.1", 0, "/metrics", 1, Duration.ZERO, true,
                            tls.createConfigurator(), null));
                    SSLServerSocket control = control(certfile, keyfile)) {
                manager.start();
                Thread acceptor = acceptor(control);
                for (String probe : PROBES) {
                    String[] parts = probe.split(" ");
                    System.out.println(RESULT + "metrics-server " + certificate + " " + probe + " "
                            + handshake(client, manager.getPort(), parts[0], parts[1]));
                    System.out.println(RESULT + "control " + certificate + " " + probe + " "
                            + handshake(client, control.getLocalPort(), parts[0], parts[1]));
                }
                acceptor.interrupt();
            }
        }
        System.out.flush();
    }

    private static SSLServerSocket control(Path certfile, Path keyfile) throws IOException {
        SSLContext context = SslBundle
            .of(new PemSslStoreBundle(
                    new PemSslStoreDetails(null, Files.readString(certfile), Files.readString(keyfile)), null))
            .createSslContext();
        return (SSLServerSocket) context.getServerSocketFactory()
            .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    /**
     * Accept connections on the control socket and complete their handshakes.
     */
    private static Thread acceptor(SSLServerSocket control) {
        Thread thread = new Thread(() -> {
            while (!control.isClosed()) {
                try (SSLSocket socket = (SSLSocket) control.accept()) {
                    socket.setSoTimeout(10_000);
                    socket.startHandshake();
                    socket.getInputStream().read();
                }
                catch (IOException ex) {
                    // a refused handshake, or the socket closed
                }
            }
        }, "control-acceptor");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static String handshake(SSLContext context, int port, String protocol, String suite) {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory()
            .createSocket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] { protocol });
            if (!"any".equals(suite)) {
                socket.setEnabledCipherSuites(new String[] { suite });
            }
            socket.startHandshake();
            SSLSession session = socket.getSession();
            if (!session.isValid() || "NONE".equals(session.getProtocol())) {
                return "refused no-session";
            }
            return "accepted " + session.getProtocol() + " " + session.getCipherSuite();
        }
        catch (IOException | IllegalArgumentException ex) {
            return "refused " + ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
    }

    private static String read(Path directory, String file) throws IOException {
        return Files.readString(directory.resolve(file));
    }

}
