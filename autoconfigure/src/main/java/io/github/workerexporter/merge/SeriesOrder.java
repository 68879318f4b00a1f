package io.github.workerexporter.merge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

/**
 * The sorted order of a merged family's series, kept from one scrape to the next: a fleet
 * publishes the same label sets scrape after scrape, decoded into the same {@code Labels}
 * instances (the decode cache), and read in the same order of workers, so when every
 * series arrives with the label set that arrived at its place the last time, the last
 * permutation sorts the family again without a comparison. Any difference (a worker joins
 * or leaves, a series appears, a label set changes or is decoded anew, the workers are
 * read in another order) sorts the family and keeps the new permutation.
 * <p>
 * Only a speed-up: client_java's snapshot sorts the series itself, so an order that were
 * wrong would cost time, never change the exposition; sorted here, with reference
 * shortcuts, its sort is one pass. Immutable, so concurrent scrapes may share one.
 *
 * @author Worker Exporter
 */
final class SeriesOrder {

    private final Labels[] arrivals;

    private final int[] sorted;

    private SeriesOrder(Labels[] arrivals, int[] sorted) {
        this.arrivals = arrivals;
        this.sorted = sorted;
    }

    /**
     * The series in arrival order sorted, and their permutation kept.
     * @param points the series in arrival order
     * @return the order, whose {@link #apply} gives them sorted
     */
    static SeriesOrder of(List<DataPointSnapshot> points) {
        Arrival[] arrivals = new Arrival[points.size()];
        for (int i = 0; i < arrivals.length; i++) {
            arrivals[i] = new Arrival(points.get(i).getLabels(), i);
        }
        Arrays.sort(arrivals, (a, b) -> compareLabels(a.labels(), b.labels()));
        Labels[] labels = new Labels[arrivals.length];
        int[] sorted = new int[arrivals.length];
        for (int i = 0; i < arrivals.length; i++) {
            labels[arrivals[i].index()] = arrivals[i].labels();
            sorted[i] = arrivals[i].index();
        }
        return new SeriesOrder(labels, sorted);
    }

    /**
     * Whether the label set of the series arriving at {@code index} leaves this order
     * valid: the same instance (or an equal one) as the last time.
     * @param index the arrival index
     * @param labels its label set
     * @return true when the order still holds for the series up to this one
     */
    boolean holds(int index, Labels labels) {
        if (index >= this.arrivals.length) {
            return false;
        }
        Labels previous = this.arrivals[index];
        return previous == labels || previous.equals(labels);
    }

    /**
     * Whether this order sorts exactly this many series.
     * @param size the number of series that arrived
     * @return true when it is the size of this order
     */
    boolean fits(int size) {
        return size == this.arrivals.length;
    }

    /**
     * The series in sorted order.
     * @param points the series in arrival order, each {@link #holds held}
     * @return a new list
     */
    List<DataPointSnapshot> apply(List<DataPointSnapshot> points) {
        List<DataPointSnapshot> result = new ArrayList<>(this.sorted.length);
        for (int index : this.sorted) {
            result.add(points.get(index));
        }
        return result;
    }

    int size() {
        return this.arrivals.length;
    }

    /**
     * The order of {@link Labels#compareTo}: names, then values, each array compared
     * element by element, a shorter array first when it is a prefix. Equal strings of
     * decoded label sets are mostly the same instance, compared by reference here.
     */
    static int compareLabels(Labels x, Labels y) {
        if (x == y) {
            return 0;
        }
        int names = compareParts(x, y, true);
        return (names != 0) ? names : compareParts(x, y, false);
    }

    private static int compareParts(Labels x, Labels y, boolean names) {
        for (int i = 0; i < x.size(); i++) {
            if (y.size() <= i) {
                return 1;
            }
            String p = names ? x.getPrometheusName(i) : x.getValue(i);
            String q = names ? y.getPrometheusName(i) : y.getValue(i);
            if (p != q) {
                int compared = p.compareTo(q);
                if (compared != 0) {
                    return compared;
                }
            }
        }
        return (y.size() > x.size()) ? -1 : 0;
    }

    /**
     * A series' label set and its arrival index, sorted together.
     */
    private record Arrival(Labels labels, int index) {

    }

}
