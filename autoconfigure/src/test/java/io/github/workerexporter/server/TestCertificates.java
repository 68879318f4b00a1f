package io.github.workerexporter.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * The one certificate maker of the tests: a CA, a server certificate for 127.0.0.1 and a
 * client certificate, made with the {@code openssl} command line in a directory, the
 * client SSL contexts and the trust store made of them.
 *
 * @param directory where the PEM files are
 */
public record TestCertificates(Path directory) {

    /**
     * Create the CA and the certificates.
     * @param directory the directory to write to
     * @return the certificates
     * @throws Exception if openssl fails
     */
    public static TestCertificates create(Path directory) throws Exception {
        TestCertificates certificates = new TestCertificates(directory);
        certificates.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Test CA", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Files.writeString(directory.resolve("server.ext"),
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
        Files.writeString(directory.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        certificates.issue("server", "/CN=localhost", "ca", "server.ext", 1);
        certificates.issue("client", "/CN=scraper", "ca", "client.ext", 2);
        return certificates;
    }

    public Path ca() {
        return this.directory.resolve("ca.pem");
    }

    public Path serverCertificate() {
        return this.directory.resolve("server.pem");
    }

    public Path serverKey() {
        return this.directory.resolve("server.key");
    }

    /**
     * A client context that trusts the CA, with or without the client certificate.
     * @param withClientCertificate whether to present the client certificate
     * @return the context
     * @throws IOException if a file cannot be read
     */
    public SSLContext clientContext(boolean withClientCertificate) throws IOException {
        return clientContext(withClientCertificate ? "client" : null);
    }

    /**
     * A client context that trusts the CA and presents the named certificate of this
     * directory.
     * @param name the base name of the certificate and key files, or {@code null} for no
     * client certificate
     * @return the context
     * @throws IOException if a file cannot be read
     */
    public SSLContext clientContext(@Nullable String name) throws IOException {
        PemSslStoreDetails key = (name != null) ? new PemSslStoreDetails(null, read(name + ".pem"), read(name + ".key"))
                : null;
        PemSslStoreDetails trust = PemSslStoreDetails.forCertificates(read("ca.pem"));
        return SslBundle.of(new PemSslStoreBundle(key, trust)).createSslContext();
    }

    /**
     * A PKCS12 trust store that holds the CA, for what reads {@code javax.net.ssl.*}
     * system properties.
     * @param password the store's password
     * @return the store's file in this directory
     * @throws Exception if the store cannot be written
     */
    public Path trustStore(String password) throws Exception {
        Path file = this.directory.resolve("truststore.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream ca = Files.newInputStream(ca())) {
            store.setCertificateEntry("test-ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    /**
     * Issue an EC certificate signed by a CA of this directory.
     * @param name the base name of the key and certificate files to write
     * @param subject the subject, such as {@code /CN=scraper}
     * @param ca the base name of the CA's files
     * @param extensions the name of the extensions file in this directory
     * @param serial the serial number
     * @throws Exception if openssl fails
     */
    public void issue(String name, String subject, String ca, String extensions, int serial) throws Exception {
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", subject);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-set_serial",
                String.valueOf(serial), "-days", "2", "-extfile", extensions, "-out", name + ".pem");
    }

    private String read(String file) throws IOException {
        return Files.readString(this.directory.resolve(file));
    }

    /**
     * Run the {@code openssl} command line in this directory.
     * @param arguments its arguments
     * @throws Exception if it fails
     */
    public void openssl(String... arguments) throws Exception {
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
