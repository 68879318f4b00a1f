package io.github.workerexporter.server;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.model.snapshots.Labels;
import org.jspecify.annotations.Nullable;

/**
 * The label sets of each family as the last write rendered them, kept for the next write
 * of a writer. A merged view serves the same {@code Labels} instances in the same order
 * scrape after scrape (the decode cache builds each label set once, the merge keeps its
 * order), so a write finds each series' rendered labels at its position, checked by
 * reference, and copies them from one array in the order they are written, instead of
 * reading the names and values of every label set again from objects spread over the heap
 * (the rendering was 40 % of the CPU of a 1,024-worker scrape). A family whose label sets
 * differ in any position is rendered again after its write; one whose label sets are new
 * objects at every write (client_java's own registry, the fleet view's sums) is not kept
 * and tried again only every {@value #RETRY_AFTER} writes, so such a write allocates
 * nothing for it.
 * <p>
 * Holds the rendered label sets of every family written (about the bytes of the label
 * sets in the exposition: 14 MB for 1,024 workers × 200 series), at most
 * {@value #MAX_FAMILIES} families. Thread-safe: what it keeps is immutable, and two
 * writes at once at worst render a family twice.
 *
 * @author Worker Exporter
 */
final class RenderedLabelSets {

    /**
     * The most families kept; beyond, everything is forgotten and rendered again.
     */
    static final int MAX_FAMILIES = 4096;

    /**
     * How many writes a family whose label sets were new objects waits before it is kept
     * again.
     */
    static final int RETRY_AFTER = 64;

    private final Map<String, Family> families = new ConcurrentHashMap<>();

    private final AtomicLong writes = new AtomicLong();

    /**
     * Count a write.
     * @return its number
     */
    long write() {
        return this.writes.incrementAndGet();
    }

    /**
     * What the last write kept of a family.
     * @param name the family's name
     * @param scheme the escaping scheme of this write
     * @return what was kept, or {@code null}
     */
    @Nullable Family get(String name, EscapingScheme scheme) {
        Family family = this.families.get(name);
        return (family != null && family.scheme == scheme) ? family : null;
    }

    void keep(String name, Family family) {
        if (this.families.size() >= MAX_FAMILIES && !this.families.containsKey(name)) {
            this.families.clear();
        }
        this.families.put(name, family);
    }

    int size() {
        return this.families.size();
    }

    /**
     * One family's label sets, in the order of its data points, rendered one after the
     * other in {@code bytes}; or, without label sets, a family not kept until a write.
     */
    static final class Family {

        private final EscapingScheme scheme;

        private final Labels @Nullable [] labels;

        private final int[] ends;

        private final byte[] bytes;

        private final long retryAt;

        private final int misses;

        private Family(EscapingScheme scheme, Labels @Nullable [] labels, int[] ends, byte[] bytes, long retryAt,
                int misses) {
            this.scheme = scheme;
            this.labels = labels;
            this.ends = ends;
            this.bytes = bytes;
            this.retryAt = retryAt;
            this.misses = misses;
        }

        /**
         * A family's label sets as a write rendered them.
         * @param scheme the escaping scheme of the write
         * @param labels the label set of each data point, in order
         * @param ends where the rendering of each ends in {@code bytes}
         * @param bytes the renderings, one after the other
         * @param misses in how many writes in a row before this one no label set was
         * found
         * @return the family
         */
        static Family of(EscapingScheme scheme, Labels[] labels, int[] ends, byte[] bytes, int misses) {
            return new Family(scheme, labels, ends, bytes, 0, misses);
        }

        /**
         * A family not kept until a write.
         * @param scheme the escaping scheme of the write
         * @param write the number of the write from which it is kept again
         * @return the family
         */
        static Family notKeptUntil(EscapingScheme scheme, long write) {
            return new Family(scheme, null, new int[0], new byte[0], write, 0);
        }

        boolean notKept() {
            return this.labels == null;
        }

        int misses() {
            return this.misses;
        }

        /**
         * Whether the data point at this position has the same label set as the last
         * time.
         */
        boolean holds(int index, Labels labels) {
            Labels[] kept = this.labels;
            return kept != null && index < kept.length && kept[index] == labels;
        }

        /**
         * Whether this family is to be rendered without keeping it at this write.
         */
        boolean skipped(long write) {
            return this.labels == null && write < this.retryAt;
        }

        byte[] bytes() {
            return this.bytes;
        }

        int from(int index) {
            return (index == 0) ? 0 : this.ends[index - 1];
        }

        int to(int index) {
            return this.ends[index];
        }

    }

}
