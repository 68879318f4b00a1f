/**
 * Redis storage: every worker publishes its record in one round trip, and a scrape reads
 * all workers in a bounded number of round trips.
 */
@NullMarked
package io.github.workerexporter.storage.redis;

import org.jspecify.annotations.NullMarked;
