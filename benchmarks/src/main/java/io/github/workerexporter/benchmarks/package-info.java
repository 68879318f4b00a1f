/**
 * JMH benchmarks of Worker Exporter: recording a request, the flush to shared storage and
 * the merged scrape. Run them from {@code benchmarks/target/benchmarks.jar}, never from
 * the build.
 */
@NullMarked
package io.github.workerexporter.benchmarks;

import org.jspecify.annotations.NullMarked;
