/**
 * A worker's lifecycle from the signal to the stored record: its {@link WorkerState}, the
 * {@link StopReason} its life ends with, and the one {@link WorkerLifecycle} that holds
 * both. Imports nothing else of the exporter, so that the metric families, the storage
 * SPI and the merged view all use these types.
 */
@NullMarked
package io.github.workerexporter.lifecycle;

import org.jspecify.annotations.NullMarked;
