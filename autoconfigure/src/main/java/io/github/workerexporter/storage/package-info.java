/**
 * Storage SPI through which workers publish their metrics and scrapes read all workers.
 */
@NullMarked
package io.github.workerexporter.storage;

import org.jspecify.annotations.NullMarked;
