/**
 * The original's command-line options and environment variables, mapped onto Spring's
 * settings (EnvironmentManager).
 */
@NullMarked
package io.github.workerexporter.environment;

import org.jspecify.annotations.NullMarked;
