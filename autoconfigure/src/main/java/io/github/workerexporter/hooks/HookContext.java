package io.github.workerexporter.hooks;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

import io.github.workerexporter.environment.WorkerIdentity;

import org.springframework.context.ApplicationContext;

/**
 * What a hook is given: the phase, the server side (application context and, once bound,
 * the web server's port), the worker and a logger.
 *
 * @param phase the phase being run
 * @param applicationContext the application context
 * @param serverPort the port the web server listens on, or {@code null} before it is
 * bound or when the application has no web server
 * @param worker this worker's identity
 * @param logger the logger hooks should use
 * @author Worker Exporter
 */
public record HookContext(HookPhase phase, ApplicationContext applicationContext, @Nullable Integer serverPort,
        WorkerIdentity worker, Logger logger) {

}
