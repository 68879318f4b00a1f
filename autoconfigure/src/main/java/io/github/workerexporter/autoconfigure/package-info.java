/**
 * Auto-configuration, configuration properties and failure analyzers of Worker Exporter.
 */
@NullMarked
package io.github.workerexporter.autoconfigure;

import org.jspecify.annotations.NullMarked;
