/**
 * Shared storage in a directory on one host: one memory-mapped file per worker.
 */
@NullMarked
package io.github.workerexporter.storage.file;

import org.jspecify.annotations.NullMarked;
