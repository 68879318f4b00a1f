package io.github.workerexporter.storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.github.workerexporter.metrics.ProcessStats;
import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.lifecycle.StopReason;
import io.github.workerexporter.storage.WorkerLifecycleFaultsStores.Backend;
import io.github.workerexporter.storage.WorkerLifecycleFaultsStores.Worker;
import io.github.workerexporter.storage.redis.RedisServerExtension;
import io.github.workerexporter.sidecar.SidecarMetrics;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import io.github.workerexporter.merge.MergingCollector;
import io.github.workerexporter.merge.WorkerCensus;

/**
 * Wall clocks that jump an hour forward or back, on one worker, on the scraper, or on
 * every process at once (one host's clock, as in file mode), against a real shared store
 * (a directory, a real Redis server). Each process has its own clocks
 * ({@link MutableClock}): time passes for all alike on their monotonic clocks, a jump
 * moves only a wall clock. Three workers: {@code steady} and {@code jumper} flush every
 * second, {@code stopped} stopped cleanly before the jump; a scraper with a store of its
 * own serves the merged view, and so does the jumper.
 * <p>
 * Heartbeats are wall-clock millis, written by processes that may be on other hosts, so
 * the readers measure how long a worker went without a flush on their own monotonic clock
 * ({@link HeartbeatAges}); with that:
 * <ul>
 * <li>no worker that flushes is ever lost, whichever clock jumped and however far, even
 * in the scrape right after the jump, before any worker flushed again;</li>
 * <li>a worker that stops flushing is alive for exactly the heartbeat timeout (15 s)
 * after its last flush and lost from the next second on, not an hour early or late;</li>
 * <li>the totals are exact in every scrape: no record expires early (file retention) and
 * the stopped worker's counters stay;</li>
 * <li>no sample is negative, and the uptime follows the monotonic clock.</li>
 * </ul>
 * Before {@link HeartbeatAges}, a worker whose clock was set back an hour was lost at
 * once and, in file mode, its file was deleted at each scrape as older than the
 * retention; a scraper set forward an hour lost every worker and deleted every file; a
 * worker set forward, or a scraper set back, stayed alive for an hour after its last
 * flush; and an uptime measured on the wall clock went negative.
 *
 * @author Worker Exporter
 */
class WorkerLifecycleFaultsClockTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private static final Duration HOUR = Duration.ofHours(1);

    private static final String PREFIX = WorkerLifecycleFaultsStores.PREFIX;

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.started();

    @TempDir
    Path dir;

    private final MutableClock steadyClock = new MutableClock();

    private final MutableClock jumperClock = new MutableClock();

    private final MutableClock stoppedClock = new MutableClock();

    private final MutableClock scraperClock = new MutableClock();

    private final List<MutableClock> clocks = List.of(this.steadyClock, this.jumperClock, this.stoppedClock,
            this.scraperClock);

    private long seconds;

    /** Whose wall clock jumps. */
    enum Jumping {

        /** One worker's. */
        WORKER,

        /** The scraper's. */
        SCRAPER,

        /** Every process's, as one host's clock. */
        EVERY_PROCESS

    }

    static Stream<Arguments> jumps() {
        List<Arguments> jumps = new ArrayList<>();
        for (Backend backend : Backend.values()) {
            for (Jumping jumping : Jumping.values()) {
                jumps.add(Arguments.of(backend, jumping, HOUR));
                jumps.add(Arguments.of(backend, jumping, HOUR.negated()));
            }
        }
        return jumps.stream();
    }

    @ParameterizedTest(name = "{0}: {1} jumps {2}")
    @MethodSource("jumps")
    void aWallClockJumpLosesNoFlushingWorkerKeepsTheTotalsAndLosesASilentOneAfterTheTimeout(Backend backend,
            Jumping jumping, Duration jump) {
        try (WorkerLifecycleFaultsStores stores = new WorkerLifecycleFaultsStores(backend, this.dir, redis.server())) {
            Worker stopped = stores.start("stopped", 1, this.stoppedClock);
            stopped.serve(5);
            stopped.stop(StopReason.TERM);
            Worker steady = stores.start("steady", 2, this.steadyClock);
            Worker jumper = stores.start("jumper", 3, this.jumperClock);
            MergingCollector scraper = new MergingCollector(new WorkerCensus(stores.open(this.scraperClock),
                    WorkerLifecycleFaultsStores.CODEC, PREFIX, TIMEOUT, this.scraperClock, this.scraperClock::nanoTime),
                    PREFIX, Map.of(), MetricSnapshots::of);
            MergingCollector jumpersView = jumper.view(TIMEOUT);
            Totals totals = new Totals();
            for (int round = 0; round < 3; round++) {
                second(steady, jumper, totals);
                totals.check(scraper, true, "before the jump");
                totals.check(jumpersView, true, "before the jump, seen by the jumper");
            }
            jumpers(jumping).forEach((clock) -> clock.jump(jump));
            totals.check(scraper, true, "right after the jump");
            totals.check(jumpersView, true, "right after the jump, seen by the jumper");
            for (int round = 0; round < 20; round++) {
                second(steady, jumper, totals);
                totals.check(scraper, true, "after the jump");
                totals.check(jumpersView, true, "after the jump, seen by the jumper");
            }
            long silentSince = this.seconds;
            for (int silent = 1; silent <= TIMEOUT.toSeconds(); silent++) {
                second(steady, null, totals);
                totals.check(scraper, true, "jumper silent for " + silent + " s");
            }
            second(steady, null, totals);
            assertThat(this.seconds - silentSince).isEqualTo(TIMEOUT.toSeconds() + 1);
            totals.check(scraper, false, "jumper silent for longer than the heartbeat timeout");
            steady.crash();
            jumper.crash();
        }
    }

    @Test
    void aWorkersUptimeFollowsTheMonotonicClockWhenTheWallClockJumps() {
        MutableClock clock = new MutableClock();
        ProcessStats stats = new ProcessStats(clock.instant().minusSeconds(10), clock, clock::nanoTime);
        assertThat(stats.uptimeSeconds()).isEqualTo(10.0);
        clock.jump(HOUR.negated());
        clock.advance(Duration.ofSeconds(1));
        assertThat(stats.uptimeSeconds()).isEqualTo(11.0);
        assertThat(stats.cpuPercent()).isNotNegative();
        clock.jump(HOUR.multipliedBy(2));
        clock.advance(Duration.ofSeconds(1));
        assertThat(stats.uptimeSeconds()).isEqualTo(12.0);
        assertThat(stats.cpuPercent()).isNotNegative();
    }

    @Test
    void aSidecarsUptimeAndItsPeriodicValuesFollowTheMonotonicClockWhenTheWallClockJumps() {
        MutableClock clock = new MutableClock();
        int[] walks = new int[1];
        SidecarMetrics sidecar = new SidecarMetrics(PREFIX, clock.instant(), null, () -> ++walks[0] > 0,
                Duration.ofSeconds(30), clock, clock::nanoTime);
        RequestExposition first = WorkerLifecycleFaultsStores.expose(sidecar.collect());
        assertThat(first.value(PREFIX + "_sidecar_uptime_seconds")).isZero();
        clock.jump(HOUR.negated());
        clock.advance(Duration.ofSeconds(30));
        RequestExposition afterBack = WorkerLifecycleFaultsStores.expose(sidecar.collect());
        assertThat(afterBack.value(PREFIX + "_sidecar_uptime_seconds")).isEqualTo(30.0);
        assertThat(walks[0]).as("Redis checks: the update interval passed").isEqualTo(2);
        clock.jump(HOUR.multipliedBy(2));
        RequestExposition afterForward = WorkerLifecycleFaultsStores.expose(sidecar.collect());
        assertThat(afterForward.value(PREFIX + "_sidecar_uptime_seconds")).isEqualTo(30.0);
        assertThat(walks[0]).as("Redis checks: the update interval did not pass").isEqualTo(2);
    }

    /**
     * One second passes for every process; the workers given serve one request each and
     * flush.
     */
    private void second(Worker steady, @Nullable Worker jumper, Totals totals) {
        this.clocks.forEach((clock) -> clock.advance(Duration.ofSeconds(1)));
        this.seconds++;
        steady.serve(1);
        totals.steady++;
        if (jumper != null) {
            jumper.serve(1);
            totals.jumper++;
        }
    }

    private List<MutableClock> jumpers(Jumping jumping) {
        return switch (jumping) {
            case WORKER -> List.of(this.jumperClock);
            case SCRAPER -> List.of(this.scraperClock);
            case EVERY_PROCESS -> this.clocks;
        };
    }

    /**
     * The requests each worker served, and what every scrape must show.
     */
    private final class Totals {

        int steady;

        int jumper;

        void check(MergingCollector view, boolean jumperAlive, String when) {
            RequestExposition merged = WorkerLifecycleFaultsStores.expose(view.collect());
            assertThat(merged.value(workers("alive"))).as("alive workers %s", when).isEqualTo(jumperAlive ? 2 : 1);
            assertThat(merged.value(workers("lost"))).as("lost workers %s", when).isEqualTo(jumperAlive ? 0 : 1);
            assertThat(merged.value(workers("stopped"))).as("stopped workers %s", when).isEqualTo(1);
            assertThat(merged.value(requests("steady"))).as("requests of steady %s", when).isEqualTo(this.steady);
            assertThat(merged.value(requests("jumper"))).as("requests of jumper %s", when).isEqualTo(this.jumper);
            assertThat(merged.value(requests("stopped"))).as("requests of stopped %s", when).isEqualTo(5);
            assertThat(merged.samples()).as("samples %s", when)
                .allSatisfy(
                        (series, value) -> assertThat(value.isNaN() || value >= 0).as(series + " " + value).isTrue());
            double seconds = WorkerLifecycleFaultsClockTests.this.seconds;
            assertThat(merged.value(PREFIX + "_worker_uptime_seconds{worker_id=\"steady\"}"))
                .as("uptime of steady %s", when)
                .isEqualTo(seconds);
        }

    }

    private static String workers(String state) {
        return PREFIX + "_master_workers{state=\"" + state + "\"}";
    }

    private static String requests(String workerId) {
        return PREFIX + "_worker_requests_total{worker_id=\"" + workerId + "\"}";
    }

}
