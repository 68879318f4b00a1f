package io.github.workerexporter.merge;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.merge.FleetRemainder.Folded;
import io.github.workerexporter.merge.FleetRemainder.Life;
import io.github.workerexporter.storage.SharedValue;
import io.github.workerexporter.storage.SnapshotCodec;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The fleet sums of the cumulative families, which never go backwards when a worker
 * leaves the store: the lives that left are kept in the {@link FleetRemainder} of shared
 * storage. At each scrape, in one compare-and-set of the remainder (retried when another
 * process changed it meanwhile):
 * <ol>
 * <li>a life in the store that is {@link Liveness#STOPPED stopped} or
 * {@link Liveness#LOST lost} is folded with its record; a folded life whose record is
 * newer is folded again with it, or, when it is alive again (a lost worker that was only
 * hung), counted by its record again;</li>
 * <li>a life this process saw at its previous scrape (less than the grace ago) and that
 * is gone from the store now (swept, expired, or replaced by the next life of its worker
 * id) is folded with the record this process saw last, or with it replaces an older one
 * another process folded;</li>
 * <li>a folded life gone from the store for the grace (the retention) is added to the
 * remainder's base and retired: a reader that still sees its record ignores it.</li>
 * </ol>
 * Each life then counts exactly once: by its record while it is in the store and not
 * folded, by its folded record, or in the base. Its folded record only grows (the newer
 * heartbeat wins), so the sums never go backwards. What is lost: a life no process saw
 * before it left (it lived and ended between two scrapes of every process), and what a
 * life counted after the last record any process saw.
 *
 * @author Worker Exporter
 */
final class FleetFolds {

    private static final Logger logger = LoggerFactory.getLogger(FleetFolds.class);

    private static final int ATTEMPTS = 5;

    private final SharedValue remainder;

    private final SnapshotCodec codec;

    private final String prefix;

    private final long graceMillis;

    private final Clock clock;

    private final FailureLog failures;

    private Map<Life, WorkerRecord> previous = Map.of();

    private long previousMillis;

    private FleetRemainder lastKnown = FleetRemainder.EMPTY;

    FleetFolds(SharedValue remainder, SnapshotCodec codec, String prefix, Duration grace, Clock clock) {
        this.remainder = remainder;
        this.codec = codec;
        this.prefix = prefix;
        this.graceMillis = grace.toMillis();
        this.clock = clock;
        this.failures = new FailureLog(logger, "Update of the fleet remainder");
    }

    /**
     * Fold what left the store and answer the fleet sums of a census.
     * @param census the census
     * @return the sums of the cumulative families
     */
    synchronized MetricSnapshots sums(Census census) {
        Map<Life, KnownWorker> present = new LinkedHashMap<>();
        census.workers().forEach((worker) -> present.put(lifeOf(worker.record()), worker));
        FleetRemainder state = fold(present);
        FleetSums sums = new FleetSums(this.prefix);
        if (state.base().length > 0) {
            sums.add(this.codec.decode(state.base()));
        }
        state.folded().forEach((life, folded) -> {
            KnownWorker worker = present.get(life);
            if (worker != null && worker.record().heartbeatMillis() > folded.heartbeatMillis()) {
                sums.add(worker.metrics());
            }
            else {
                sums.add(this.codec.decode(folded.metrics()));
            }
        });
        present.forEach((life, worker) -> {
            if (!state.folded().containsKey(life) && !state.retired().containsKey(life)) {
                sums.add(worker.metrics());
            }
        });
        return sums.build();
    }

    private FleetRemainder fold(Map<Life, KnownWorker> present) {
        long now = this.clock.millis();
        Map<Life, WorkerRecord> seen = (now - this.previousMillis < this.graceMillis) ? this.previous : Map.of();
        try {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                byte[] current = this.remainder.get();
                FleetRemainder state = FleetRemainder.decode(current);
                FleetRemainder next = next(state, present, seen, now);
                if (next == state || this.remainder.compareAndSet(current, next.encode())) {
                    this.failures.succeeded();
                    remember(present, Map.of(), now);
                    this.lastKnown = next;
                    return next;
                }
            }
            logger.debug("The fleet remainder changed under {} attempts: folded at the next scrape", ATTEMPTS);
        }
        catch (StoreException ex) {
            this.failures.failed(ex);
        }
        remember(present, seen, now);
        return this.lastKnown;
    }

    /**
     * Remember the lives of this scrape and, when the remainder could not be changed, the
     * lives seen before that are gone and may not be folded yet.
     */
    private void remember(Map<Life, KnownWorker> present, Map<Life, WorkerRecord> seen, long now) {
        Map<Life, WorkerRecord> remembered = new LinkedHashMap<>(seen);
        present.forEach((life, worker) -> remembered.put(life, worker.record()));
        this.previous = remembered;
        this.previousMillis = now;
    }

    /**
     * The remainder after this scrape's folds, or {@code state} itself when nothing
     * changes.
     */
    private FleetRemainder next(FleetRemainder state, Map<Life, KnownWorker> present, Map<Life, WorkerRecord> seen,
            long now) {
        Map<Life, Folded> folded = new LinkedHashMap<>(state.folded());
        Map<Life, Long> retired = new LinkedHashMap<>(state.retired());
        boolean changed = retired.values().removeIf((at) -> now - at >= this.graceMillis);
        for (Map.Entry<Life, KnownWorker> entry : present.entrySet()) {
            Life life = entry.getKey();
            WorkerRecord record = entry.getValue().record();
            Folded known = folded.get(life);
            if (retired.containsKey(life)) {
                continue;
            }
            boolean alive = entry.getValue().liveness() == Liveness.ALIVE;
            if (known == null) {
                if (!alive) {
                    folded.put(life, new Folded(record.heartbeatMillis(), 0, record.metrics()));
                    changed = true;
                }
            }
            else if (record.heartbeatMillis() > known.heartbeatMillis() && alive) {
                // It was only hung and flushes again: counted by its record again.
                folded.remove(life);
                changed = true;
            }
            else if (record.heartbeatMillis() > known.heartbeatMillis() || known.goneSinceMillis() != 0) {
                long heartbeat = Math.max(known.heartbeatMillis(), record.heartbeatMillis());
                byte[] metrics = (known.heartbeatMillis() >= record.heartbeatMillis()) ? known.metrics()
                        : record.metrics();
                folded.put(life, new Folded(heartbeat, 0, metrics));
                changed = true;
            }
        }
        for (Map.Entry<Life, WorkerRecord> entry : seen.entrySet()) {
            Life life = entry.getKey();
            WorkerRecord record = entry.getValue();
            Folded known = folded.get(life);
            if (present.containsKey(life) || retired.containsKey(life)
                    || (known != null && known.heartbeatMillis() >= record.heartbeatMillis())) {
                continue;
            }
            long goneSince = (known != null && known.goneSinceMillis() != 0) ? known.goneSinceMillis() : now;
            folded.put(life, new Folded(record.heartbeatMillis(), goneSince, record.metrics()));
            changed = true;
        }
        List<Folded> leaving = new ArrayList<>();
        for (Map.Entry<Life, Folded> entry : new ArrayList<>(folded.entrySet())) {
            Life life = entry.getKey();
            Folded known = entry.getValue();
            if (present.containsKey(life)) {
                continue;
            }
            if (known.goneSinceMillis() == 0) {
                folded.put(life, new Folded(known.heartbeatMillis(), now, known.metrics()));
                changed = true;
            }
            else if (now - known.goneSinceMillis() >= this.graceMillis) {
                leaving.add(known);
                folded.remove(life);
                retired.put(life, now);
                changed = true;
            }
        }
        if (!changed) {
            return state;
        }
        byte[] base = state.base();
        if (!leaving.isEmpty()) {
            FleetSums sums = new FleetSums(this.prefix);
            if (base.length > 0) {
                sums.add(this.codec.decode(base));
            }
            leaving.forEach((known) -> sums.add(this.codec.decode(known.metrics())));
            base = this.codec.encode(sums.build());
        }
        return new FleetRemainder(base, folded, retired);
    }

    private static Life lifeOf(WorkerRecord record) {
        return new Life(record.workerId(), record.startTimeMillis());
    }

}
