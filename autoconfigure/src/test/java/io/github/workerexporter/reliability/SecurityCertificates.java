package io.github.workerexporter.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.net.ssl.SSLContext;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.server.TestCertificates;

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
        certificates.base.openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa-server.key", "-out",
                "rsa-server.csr", "-subj", "/CN=localhost");
        certificates.base.openssl("x509", "-req", "-in", "rsa-server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-set_serial", "10", "-days", "2", "-extfile", "server.ext", "-out", "rsa-server.pem");
        certificates.base.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "2", "-subj", "/CN=Test CA", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        certificates.base.issue("other-client", "/CN=scraper", "other-ca", "client.ext", 11);
        certificates.base.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "self-signed.key", "-out", "self-signed.pem", "-days", "2", "-subj", "/CN=Test CA",
                "-addext", "extendedKeyUsage=clientAuth");
        certificates.base.issue("server-only", "/CN=scraper", "ca", "server.ext", 12);
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
        return this.base.clientContext(name);
    }

}
