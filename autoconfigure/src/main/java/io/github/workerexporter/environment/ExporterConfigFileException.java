package io.github.workerexporter.environment;

import java.nio.file.Path;

import org.jspecify.annotations.Nullable;

/**
 * A configuration file in the original's format that cannot be used: missing, unreadable,
 * not valid YAML, or without an {@code exporter} mapping at its root.
 *
 * @author Worker Exporter
 */
public class ExporterConfigFileException extends RuntimeException {

    private final Path path;

    private final String reason;

    /**
     * Create an exception.
     * @param path the file
     * @param reason what is wrong with it
     * @param cause the cause, or {@code null}
     */
    public ExporterConfigFileException(Path path, String reason, @Nullable Throwable cause) {
        super("Configuration file " + path + ": " + reason, cause);
        this.path = path;
        this.reason = reason;
    }

    /**
     * Create an exception without a cause.
     * @param path the file
     * @param reason what is wrong with it
     */
    public ExporterConfigFileException(Path path, String reason) {
        this(path, reason, null);
    }

    public Path getPath() {
        return this.path;
    }

    public String getReason() {
        return this.reason;
    }

}
