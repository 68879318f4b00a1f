package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpsConfigurator;
import org.jspecify.annotations.Nullable;

import io.github.workerexporter.server.MetricsServerTls;

/**
 * The effective TLS settings of the metrics server, merged from {@code exporter.ssl.*}
 * (documented) and {@code exporter.prometheus.ssl.*} (what the original's code reads). A
 * value set in one place is used; set in both with different values, it is an error.
 *
 * @author Worker Exporter
 */
final class MetricsServerSslSettings {

    private static final String DOCUMENTED = "exporter.ssl.";

    private static final String CODE = "exporter.prometheus.ssl.";

    private static final String PEM_FILE = "the path of a readable PEM file";

    private MetricsServerSslSettings() {
    }

    /**
     * Merge, check and load the TLS settings.
     * @param documented {@code exporter.ssl}
     * @param code {@code exporter.prometheus.ssl}
     * @return the TLS configurator, or {@code null} when TLS is off
     * @throws InvalidExporterPropertyException on a conflict or an unusable file
     */
    static @Nullable HttpsConfigurator resolve(ExporterProperties.Ssl documented, ExporterProperties.Ssl code) {
        Value<Boolean> enabled = merge("enabled", documented.getEnabled(), code.getEnabled());
        Value<String> certfile = merge("certfile", documented.getCertfile(), code.getCertfile());
        Value<String> keyfile = merge("keyfile", documented.getKeyfile(), code.getKeyfile());
        Value<String> cafile = merge("client-cafile", documented.getClientCafile(), code.getClientCafile());
        Value<String> capath = merge("client-capath", documented.getClientCapath(), code.getClientCapath());
        Value<Boolean> required = merge("client-auth-required", documented.getClientAuthRequired(),
                code.getClientAuthRequired());
        boolean on = (enabled.value() != null) ? enabled.value() : certfile.value() != null && keyfile.value() != null;
        boolean clientAuthRequired = Boolean.TRUE.equals(required.value());
        if (!on) {
            if (clientAuthRequired) {
                throw new InvalidExporterPropertyException(required.property(), true, "requires TLS, which is off",
                        "set 'exporter.ssl.certfile' and 'exporter.ssl.keyfile' to enable TLS");
            }
            return null;
        }
        List<Path> clientCas = new ArrayList<>();
        if (cafile.value() != null) {
            clientCas.add(readableFile(cafile));
        }
        if (capath.value() != null) {
            clientCas.addAll(pemFilesIn(capath));
        }
        if (clientAuthRequired && clientCas.isEmpty()) {
            throw new InvalidExporterPropertyException(required.property(), true,
                    "requires the CA that client certificates must chain to",
                    "set 'exporter.ssl.client-cafile' or 'exporter.ssl.client-capath'");
        }
        MetricsServerTls tls = new MetricsServerTls(readableFile(certfile), readableFile(keyfile), clientCas,
                clientAuthRequired);
        try {
            return tls.createConfigurator();
        }
        catch (IOException | IllegalStateException ex) {
            throw new InvalidExporterPropertyException(certfile.property(), certfile.value(),
                    "the certificate, key or client CAs could not be loaded (" + ex.getMessage() + ")",
                    "PEM files of a certificate chain, its private key and CA certificates", ex);
        }
    }

    private static <T> Value<T> merge(String name, @Nullable T documented, @Nullable T code) {
        if (documented != null && code != null && !documented.equals(code)) {
            throw new InvalidExporterPropertyException(CODE + name, code,
                    "conflicts with '%s%s=%s'".formatted(DOCUMENTED, name, documented),
                    "set '%s%s' or '%s%s', not both to different values".formatted(DOCUMENTED, name, CODE, name));
        }
        return (code != null) ? new Value<>(CODE + name, code) : new Value<>(DOCUMENTED + name, documented);
    }

    private static Path readableFile(Value<String> file) {
        if (file.value() == null) {
            throw new InvalidExporterPropertyException(file.property(), null, "required when TLS is enabled", PEM_FILE);
        }
        Path path = Path.of(file.value());
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new InvalidExporterPropertyException(file.property(), file.value(), "not a readable file", PEM_FILE);
        }
        return path;
    }

    private static List<Path> pemFilesIn(Value<String> directory) {
        String action = "a readable directory of PEM CA certificates";
        Path path = Path.of(directory.value());
        try (Stream<Path> files = Files.list(path)) {
            List<Path> pems = files.filter(Files::isRegularFile)
                .filter(MetricsServerSslSettings::isPem)
                .sorted()
                .toList();
            if (pems.isEmpty()) {
                throw new InvalidExporterPropertyException(directory.property(), directory.value(),
                        "contains no PEM certificate", action);
            }
            return pems;
        }
        catch (IOException ex) {
            throw new InvalidExporterPropertyException(directory.property(), directory.value(),
                    "not a readable directory", action, ex);
        }
    }

    private static boolean isPem(Path file) {
        try {
            return Files.readString(file).contains("-----BEGIN CERTIFICATE-----");
        }
        catch (IOException ex) {
            return false;
        }
    }

    private record Value<T>(String property, @Nullable T value) {
    }

}
