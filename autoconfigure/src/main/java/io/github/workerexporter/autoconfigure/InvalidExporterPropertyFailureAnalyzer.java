package io.github.workerexporter.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

/**
 * Describes an {@link InvalidExporterPropertyException}: the property, the bad value,
 * where it came from (a file and line, an environment variable) when the environment
 * knows, why, and what is allowed.
 *
 * @author Worker Exporter
 */
class InvalidExporterPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidExporterPropertyException> {

    private final @Nullable Environment environment;

    /**
     * Create an analyzer; the only public constructor, so Spring Boot passes the
     * environment.
     * @param environment the environment, or {@code null} when there is none yet
     */
    public InvalidExporterPropertyFailureAnalyzer(@Nullable Environment environment) {
        this.environment = environment;
    }

    InvalidExporterPropertyFailureAnalyzer() {
        this(null);
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidExporterPropertyException cause) {
        Origin origin = origin(cause.getProperty());
        String from = (origin != null) ? " (from " + origin + ")" : "";
        String description = "Invalid value '%s' for property '%s'%s: %s.".formatted(cause.getValue(),
                cause.getProperty(), from, cause.getReason());
        String action = "Set '%s' to a valid value: %s.".formatted(cause.getProperty(), cause.getAction());
        return new FailureAnalysis(description, action, cause);
    }

    private @Nullable Origin origin(String property) {
        if (!(this.environment instanceof ConfigurableEnvironment configurable)
                || !ConfigurationPropertyName.isValid(property)) {
            return null;
        }
        ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(configurable)) {
            ConfigurationProperty found = source.getConfigurationProperty(name);
            if (found != null) {
                return found.getOrigin();
            }
        }
        return null;
    }

}
