package io.github.workerexporter.e2e;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.workerexporter.e2e.WorkerRestartsTests.Store;
import io.github.workerexporter.storage.redis.RedisServerExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fifty restarts of one worker id with real worker JVMs, each life ended by a real
 * {@code kill -TERM}, {@code -INT}, {@code -HUP} or {@code -9} in turn, over a shared
 * directory and over a real Redis server: after each restart the master restart families
 * count exactly the restarts so far, each with its reason
 * ({@link WorkerRestartsTests#awaitRestarts}), and 50 at the end. Long (51 JVM starts per
 * store), hence in the reliability suite.
 *
 * @author Worker Exporter
 */
@Tag("reliability")
class WorkerRestartsReliabilityTests {

    private static final int RESTARTS = 50;

    private static final List<String[]> STOPS = List.of(new String[] { "TERM", "term" },
            new String[] { "KILL", "crash" }, new String[] { "INT", "int" }, new String[] { "HUP", "hup" });

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.started();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Store.class)
    void fiftyRestartsBySignalsAndKillsAreCountedExactlyFifty(Store store) {
        Map<String, Integer> expected = new LinkedHashMap<>();
        WorkerRestartsTests.REASONS.forEach((reason) -> expected.put(reason, 0));
        List<String> arguments = WorkerRestartsTests.arguments(store, this.dir, redis.server());
        try (Workers jvms = new Workers(this.dir.resolve("logs"), arguments.toArray(String[]::new))) {
            Worker life = jvms.start("r50").get(0);
            WorkerRestartsTests.awaitRestarts(jvms, life, "r50", expected);
            for (int restart = 1; restart <= RESTARTS; restart++) {
                String[] stop = STOPS.get(restart % STOPS.size());
                jvms.stop(life, stop[0]);
                expected.merge(stop[1], 1, Integer::sum);
                life = jvms.start("r50").get(0);
                WorkerRestartsTests.awaitRestarts(jvms, life, "r50", expected);
            }
        }
        assertThat(expected.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(RESTARTS);
    }

}
