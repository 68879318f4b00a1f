package io.github.workerexporter.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Describes an {@link InvalidExporterPropertyException}: the property, the bad value,
 * why, and what is allowed.
 *
 * @author Worker Exporter
 */
class InvalidExporterPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidExporterPropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidExporterPropertyException cause) {
        String description = "Invalid value '%s' for property '%s': %s.".formatted(cause.getValue(),
                cause.getProperty(), cause.getReason());
        String action = "Set '%s' to a valid value: %s.".formatted(cause.getProperty(), cause.getAction());
        return new FailureAnalysis(description, action, cause);
    }

}
