/**
 * Shared storage in a directory on one host: one file per worker, written in place.
 */
@NullMarked
package io.github.workerexporter.storage.file;

import org.jspecify.annotations.NullMarked;
