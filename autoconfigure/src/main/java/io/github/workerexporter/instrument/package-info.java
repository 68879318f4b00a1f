/**
 * Request instrumentation at the web-server layer: a servlet filter and a WebFlux filter.
 */
@NullMarked
package io.github.workerexporter.instrument;

import org.jspecify.annotations.NullMarked;
