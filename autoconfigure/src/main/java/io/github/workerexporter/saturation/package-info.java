/**
 * Saturation of this worker's embedded web server, read when scraped: request threads
 * busy and their maximum, requests waiting for a thread, open connections and their
 * maximum, and the kernel's accept queue of the listening socket (SaturationMetrics).
 */
@NullMarked
package io.github.workerexporter.saturation;

import org.jspecify.annotations.NullMarked;
