/**
 * The dedicated metrics HTTP server (MetricsServerManager).
 */
@NullMarked
package io.github.workerexporter.server;

import org.jspecify.annotations.NullMarked;
