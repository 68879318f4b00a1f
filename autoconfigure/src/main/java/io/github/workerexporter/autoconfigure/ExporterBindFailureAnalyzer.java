package io.github.workerexporter.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.convert.ConversionFailedException;

/**
 * Describes an {@code exporter.*} value that cannot be converted to its type
 * ({@code maybe} for a boolean, {@code abc} for a port): the property, the value, where
 * it came from, and what is allowed. Runs before Spring Boot's generic analyzer.
 *
 * @author Worker Exporter
 */
class ExporterBindFailureAnalyzer extends AbstractFailureAnalyzer<BindException> implements Ordered {

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
        ConfigurationProperty property = cause.getProperty();
        if (property == null || !property.getName().toString().startsWith("exporter.")) {
            return null;
        }
        Class<?> type = targetType(cause);
        String origin = (property.getOrigin() != null) ? " (from " + property.getOrigin() + ")" : "";
        String description = "Invalid value '%s' for property '%s'%s: it is not %s.".formatted(property.getValue(),
                property.getName(), origin, describe(type));
        String action = "Set '%s' to %s.".formatted(property.getName(), allowed(type));
        return new FailureAnalysis(description, action, cause);
    }

    private static @Nullable Class<?> targetType(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConversionFailedException conversion) {
                return conversion.getTargetType().getObjectType();
            }
        }
        return null;
    }

    private static String describe(@Nullable Class<?> type) {
        if (type == null) {
            return "a valid value";
        }
        if (type == Boolean.class) {
            return "a boolean";
        }
        if (Number.class.isAssignableFrom(type)) {
            return "a whole number";
        }
        if (type == Duration.class) {
            return "a duration";
        }
        return "a valid " + type.getSimpleName();
    }

    private static String allowed(@Nullable Class<?> type) {
        if (type == Boolean.class) {
            return "true, false, 1, 0, yes, no, on or off (in any case)";
        }
        if (Number.class.isAssignableFrom(type != null ? type : Object.class)) {
            return "a whole number, such as 9091";
        }
        if (type == Duration.class) {
            return "a duration such as 30s, 500ms or 2m (a bare number means seconds for exporter.gunicorn.*)";
        }
        if (type != null && type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants())
                .map((constant) -> ((Enum<?>) constant).name().toLowerCase())
                .collect(Collectors.joining(", "));
        }
        return "a valid value (see the configuration table in docs/configuration.md)";
    }

}
