package io.github.workerexporter.autoconfigure;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.workerexporter.environment.OriginalEnvironmentVariables;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks the exporter's secrets in Actuator's {@code env} and {@code configprops}
 * endpoints even when they show values
 * ({@code management.endpoint.env.show-values=always}): every {@code exporter.*} property
 * whose name contains {@code password}, {@code secret} or {@code token} (in any source
 * and spelling, such as {@code EXPORTER_REDIS_PASSWORD}), and the original's environment
 * variables that set one ({@code REDIS_PASSWORD}). Other keys are left to the
 * application's own sanitizing functions.
 *
 * @author Worker Exporter
 */
final class ExporterSanitizingFunction implements SanitizingFunction {

    private static final Set<String> SECRET_VARIABLES = OriginalEnvironmentVariables.mapping()
        .entrySet()
        .stream()
        .filter((entry) -> entry.getValue().stream().anyMatch(ExporterEndpointConfigurationView::isSecret))
        .map((entry) -> entry.getKey().toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());

    @Override
    public SanitizableData apply(SanitizableData data) {
        return isExporterSecret(data.getLowerCaseKey()) ? data.withSanitizedValue() : data;
    }

    static boolean isExporterSecret(String lowerCaseKey) {
        if (SECRET_VARIABLES.contains(lowerCaseKey)) {
            return true;
        }
        boolean exporter = lowerCaseKey.startsWith("exporter.") || lowerCaseKey.startsWith("exporter_");
        return exporter && ExporterEndpointConfigurationView.isSecret(lowerCaseKey);
    }

}
