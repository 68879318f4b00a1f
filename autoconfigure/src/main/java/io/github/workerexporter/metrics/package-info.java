/**
 * Worker and master metric families.
 */
@NullMarked
package io.github.workerexporter.metrics;

import org.jspecify.annotations.NullMarked;
