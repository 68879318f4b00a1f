package io.github.workerexporter.autoconfigure;

import java.util.Arrays;
import java.util.stream.Stream;

/**
 * What the embedded server tests share: the properties every test application runs with
 * and a look-up of the start-up failure.
 *
 * @author Worker Exporter
 */
final class EmbeddedServerTestSupport {

    private static final String[] BASE_PROPERTIES = { "exporter.prometheus.metrics-port=0",
            "spring.main.banner-mode=off" };

    private EmbeddedServerTestSupport() {
    }

    /**
     * The properties of a test application: any free port, unless the test binds.
     * @param properties the test's properties
     * @return all properties
     */
    static String[] properties(String... properties) {
        boolean binds = Arrays.stream(properties).anyMatch((property) -> property.startsWith("exporter.gunicorn.bind"));
        return Stream.of(BASE_PROPERTIES, binds ? new String[0] : new String[] { "server.port=0" }, properties)
            .flatMap(Arrays::stream)
            .toArray(String[]::new);
    }

    static InvalidExporterPropertyException cause(Throwable failure) {
        for (Throwable candidate = failure; candidate != null; candidate = candidate.getCause()) {
            if (candidate instanceof InvalidExporterPropertyException invalid) {
                return invalid;
            }
        }
        throw new AssertionError("No InvalidExporterPropertyException in " + failure, failure);
    }

}
