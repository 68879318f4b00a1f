package io.github.workerexporter.e2e;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.workerexporter.storage.redis.RedisServerExtension;

import static io.github.workerexporter.e2e.Totals.requests;
import static io.github.workerexporter.e2e.Workers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-to-end proofs over a real Redis server that this class starts, each test under
 * a key prefix of its own, plus an outage of Redis under load.
 *
 * @author Worker Exporter
 */
class RedisStoreEndToEndTests extends AbstractSharedStoreEndToEndTests {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.started();

    @Override
    List<String> storeArguments(Path dir) {
        // The worker has Spring Data Redis's auto-configuration, as every starter user:
        // the store uses its connection factory (spring.data.redis.*), not
        // exporter.redis.host and port.
        return List.of("--exporter.redis.enabled=true", "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port(), "--exporter.redis.key-prefix=e2e-" + dir.getFileName());
    }

    @Override
    String retention(int seconds) {
        return "--exporter.redis.ttl-seconds=" + seconds;
    }

    @Test
    void losesNoRequestAndNoCountWhenRedisIsDownForTenSecondsUnderLoad() throws Exception {
        try (Workers workers = workers()) {
            List<Worker> started = workers.start("w1", "w2");
            Worker observer = started.get(0);
            Load load = workers.load(started, Integer.MAX_VALUE, 2);
            workers.awaitScrape(observer, DEADLINE,
                    (exposition) -> requests(exposition, "w1") > 0 && requests(exposition, "w2") > 0);
            redis.server().stop();
            Thread.sleep(10_000);
            redis.server().restart();
            // Both workers flushed again (Lettuce reconnects with a backoff).
            workers.awaitScrape(observer, DEADLINE,
                    (exposition) -> exposition.value("gunicorn_master_workers{state=\"alive\"}") == 2);
            load.stop();
            assertThat(load.failed()).isZero();
            assertThat(load.ok()).isPositive();
            workers.awaitExact(observer, DEADLINE, started);
        }
    }

}
