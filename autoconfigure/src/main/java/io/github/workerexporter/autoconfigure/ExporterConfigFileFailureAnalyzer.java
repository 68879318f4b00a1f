package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.environment.ExporterConfigFileException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Describes an {@link ExporterConfigFileException}: which file, and what is wrong with
 * it.
 *
 * @author Worker Exporter
 */
class ExporterConfigFileFailureAnalyzer extends AbstractFailureAnalyzer<ExporterConfigFileException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ExporterConfigFileException cause) {
        String description = "Cannot load the exporter configuration file '%s': %s.".formatted(cause.getPath(),
                cause.getReason());
        String action = "Fix the file, or point 'exporter.config-file' (EXPORTER_CONFIG_FILE, PROMETHEUS_CONFIG_FILE) "
                + "at a readable YAML file whose root is a mapping with the key 'exporter'.";
        return new FailureAnalysis(description, action, cause);
    }

}
