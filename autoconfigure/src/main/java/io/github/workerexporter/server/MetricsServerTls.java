package io.github.workerexporter.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemContent;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * TLS of the metrics server from PEM files: the server's certificate chain and key, and
 * the CAs that client certificates must chain to. Only TLSv1.3 and TLSv1.2 are offered,
 * and of the JVM's cipher suites only those with forward secrecy and authenticated
 * encryption: TLSv1.3's, and TLSv1.2's ECDHE and DHE suites with AES-GCM or
 * ChaCha20-Poly1305 (Mozilla's "intermediate" configuration); CBC suites and RSA or
 * static (EC)DH key exchange are refused. With client CAs, a client certificate is
 * requested, and required when {@code clientAuthRequired} is set.
 *
 * @param certfile the PEM certificate (chain) of the server
 * @param keyfile the PEM private key of the server
 * @param clientCaFiles PEM files of the client CAs, empty for no client authentication
 * @param clientAuthRequired whether a client certificate is required
 * @author Worker Exporter
 */
public record MetricsServerTls(Path certfile, Path keyfile, List<Path> clientCaFiles, boolean clientAuthRequired) {

    private static final String[] PROTOCOLS = { "TLSv1.3", "TLSv1.2" };

    /**
     * Read the PEM files and create the configurator of the server's TLS.
     * @return the configurator
     * @throws IOException if a file cannot be read
     * @throws IllegalStateException if a file holds no valid PEM content
     */
    public HttpsConfigurator createConfigurator() throws IOException {
        PemSslStoreDetails key = new PemSslStoreDetails(null, readPem(this.certfile), readPem(this.keyfile));
        @Nullable PemSslStoreDetails trust = this.clientCaFiles.isEmpty() ? null
                : PemSslStoreDetails.forCertificates(readAll(this.clientCaFiles));
        SslBundle bundle = SslBundle.of(new PemSslStoreBundle(key, trust));
        return new Configurator(bundle.createSslContext(), trust != null, this.clientAuthRequired);
    }

    /**
     * Whether a cipher suite is one of TLSv1.3 or a TLSv1.2 suite with forward secrecy
     * (ephemeral Diffie-Hellman) and an AEAD cipher.
     * @param suite the standard name of the suite
     * @return whether the metrics server offers it
     */
    static boolean isStrong(String suite) {
        if (suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")) {
            return true;
        }
        boolean forwardSecret = suite.startsWith("TLS_ECDHE_") || suite.startsWith("TLS_DHE_");
        boolean aead = suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_");
        return forwardSecret && aead;
    }

    private static String readAll(List<Path> files) throws IOException {
        StringBuilder pem = new StringBuilder();
        for (Path file : files) {
            pem.append(readPem(file)).append('\n');
        }
        return pem.toString();
    }

    /**
     * Read a PEM file. Spring Boot takes text without a complete PEM block for the
     * location of a file and puts it in its error message: a key file that lost its
     * {@code BEGIN} line, or was cut short, would show the key in the failure analysis
     * and the log. Such a file is refused here, by its name only.
     */
    private static String readPem(Path file) throws IOException {
        String text = Files.readString(file);
        if (!PemContent.isPresentInText(text)) {
            throw new IllegalStateException(
                    file + " holds no complete PEM block (from a -----BEGIN line to its -----END line)");
        }
        return text;
    }

    private static final class Configurator extends HttpsConfigurator {

        private final boolean wantClientAuth;

        private final boolean needClientAuth;

        Configurator(SSLContext context, boolean wantClientAuth, boolean needClientAuth) {
            super(context);
            this.wantClientAuth = wantClientAuth;
            this.needClientAuth = needClientAuth;
        }

        @Override
        public void configure(HttpsParameters params) {
            SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
            parameters.setProtocols(PROTOCOLS);
            parameters.setCipherSuites(Arrays.stream(parameters.getCipherSuites())
                .filter(MetricsServerTls::isStrong)
                .toArray(String[]::new));
            if (this.needClientAuth) {
                parameters.setNeedClientAuth(true);
            }
            else if (this.wantClientAuth) {
                parameters.setWantClientAuth(true);
            }
            params.setSSLParameters(parameters);
        }

    }

}
