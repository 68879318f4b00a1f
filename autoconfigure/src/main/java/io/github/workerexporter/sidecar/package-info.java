/**
 * A metrics-only sidecar: serves the merged view of the shared store and its own gauges.
 */
@NullMarked
package io.github.workerexporter.sidecar;

import org.jspecify.annotations.NullMarked;
