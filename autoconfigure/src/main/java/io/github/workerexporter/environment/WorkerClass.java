package io.github.workerexporter.environment;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * gunicorn's worker class, as far as an embedded web server can follow it: request
 * threads from a platform thread pool ({@code sync}, {@code thread}) or virtual threads
 * ({@code virtual}, Java 21 or later).
 *
 * @author Worker Exporter
 */
public enum WorkerClass {

    /**
     * Platform request threads (gunicorn's default worker class).
     */
    SYNC,

    /**
     * Platform request threads, like {@link #SYNC} (gunicorn's {@code gthread}).
     */
    THREAD,

    /**
     * One virtual thread per request (Java 21 or later).
     */
    VIRTUAL;

    /**
     * The Java feature version from which virtual threads are available.
     */
    public static final int VIRTUAL_THREADS_JAVA_VERSION = 21;

    /**
     * Parse a worker class, ignoring case.
     * @param text the name, such as {@code sync}
     * @return the worker class
     * @throws IllegalArgumentException if the name is unknown
     */
    public static WorkerClass parse(String text) {
        String name = text.trim().toUpperCase(Locale.ROOT);
        return Arrays.stream(values())
            .filter((candidate) -> candidate.name().equals(name))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(
                    "unknown worker class '" + text + "'; allowed values are " + allowedValues()));
    }

    /**
     * The allowed names, for messages.
     * @return the names, such as {@code sync, thread, virtual}
     */
    public static String allowedValues() {
        return Arrays.stream(values()).map(WorkerClass::toString).collect(Collectors.joining(", "));
    }

    /**
     * Check that this worker class can run on a JVM of the given feature version.
     * @param javaVersion the feature version, such as {@code Runtime.version().feature()}
     * @return this worker class
     * @throws IllegalArgumentException if it needs a later Java
     */
    public WorkerClass requireSupportedOn(int javaVersion) {
        if (this == VIRTUAL && javaVersion < VIRTUAL_THREADS_JAVA_VERSION) {
            throw new IllegalArgumentException("virtual threads need Java " + VIRTUAL_THREADS_JAVA_VERSION
                    + " or later; this JVM is " + javaVersion);
        }
        return this;
    }

    /**
     * Check that this worker class can run on this JVM.
     * @return this worker class
     * @throws IllegalArgumentException if it needs a later Java
     */
    public WorkerClass requireSupported() {
        return requireSupportedOn(Runtime.version().feature());
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

}
