package io.github.workerexporter.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.server.TestCertificates;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.util.FileSystemUtils;

/**
 * The certificates of {@link TestCertificates} (a CA, an EC server certificate for
 * 127.0.0.1, a client certificate) and, made the same way with the {@code openssl}
 * command line, the hostile ones: an RSA server certificate of the same CA, a second CA
 * the server does not trust with a client certificate of its own, a self-signed client
 * certificate, and a certificate of the trusted CA that is not for client authentication.
 *
 * @param directory where the PEM files are
 * @param base the certificates of {@link TestCertificates}
 * @author Worker Exporter
 */
record SecurityCertificates(Path directory, TestCertificates base) {

    private static @Nullable SecurityCertificates shared;

    /**
     * The certificates of this JVM, made once in a temporary directory (removed when the
     * JVM exits), so that test classes share the cost of {@code openssl}.
     * @return the certificates
     * @throws Exception if openssl fails
     */
    static synchronized SecurityCertificates shared() throws Exception {
        if (shared == null) {
            Path directory = Files.createTempDirectory("security-certificates");
            Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(directory.toFile())));
            shared = create(directory);
        }
        return shared;
    }

    static SecurityCertificates create(Path directory) throws Exception {
        SecurityCertificates certificates = new SecurityCertificates(directory, TestCertificates.create(directory));
        certificates.openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa-server.key", "-out",
                "rsa-server.csr", "-subj", "/CN=localhost");
        certificates.openssl("x509", "-req", "-in", "rsa-server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-set_serial", "10", "-days", "2", "-extfile", "server.ext", "-out", "rsa-server.pem");
        certificates.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=Test CA", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        certificates.issue("other-client", "/CN=scraper", "other-ca", "client.ext", 11);
        certificates.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "self-signed.key", "-out", "self-signed.pem", "-days", "2", "-subj", "/CN=Test CA",
                "-addext", "extendedKeyUsage=clientAuth");
        certificates.issue("server-only", "/CN=scraper", "ca", "server.ext", 12);
        return certificates;
    }

    Path ca() {
        return this.base.ca();
    }

    Path serverCertificate() {
        return this.base.serverCertificate();
    }

    Path serverKey() {
        return this.base.serverKey();
    }

    Path file(String name) {
        return this.directory.resolve(name);
    }

    /**
     * A client context that trusts the test CA and presents the named certificate.
     * @param name the base name of the certificate and key files ({@code client},
     * {@code other-client}, {@code self-signed}, {@code server-only}), or {@code null}
     * for no client certificate
     * @return the context
     * @throws IOException if a file cannot be read
     */
    SSLContext clientContext(@Nullable String name) throws IOException {
        PemSslStoreDetails key = (name != null) ? new PemSslStoreDetails(null, read(name + ".pem"), read(name + ".key"))
                : null;
        PemSslStoreDetails trust = PemSslStoreDetails.forCertificates(read("ca.pem"));
        return SslBundle.of(new PemSslStoreBundle(key, trust)).createSslContext();
    }

    private void issue(String name, String subject, String ca, String extensions, int serial) throws Exception {
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", subject);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-set_serial",
                String.valueOf(serial), "-days", "2", "-extfile", extensions, "-out", name + ".pem");
    }

    private String read(String file) throws IOException {
        return Files.readString(this.directory.resolve(file));
    }

    private void openssl(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(this.directory.toFile())
            .redirectErrorStream(true)
            .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", arguments) + " failed: " + output);
        }
    }

}
