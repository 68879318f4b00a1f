package io.github.workerexporter.e2e;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.github.workerexporter.storage.redis.RedisServerSupport;

/**
 * {@link AbstractWorkerIdConflictTests} over a real Redis server that this class starts,
 * each test under a key prefix of its own.
 *
 * @author Worker Exporter
 */
class WorkerIdConflictRedisTests extends AbstractWorkerIdConflictTests {

    private static RedisServerSupport redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerSupport.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Override
    List<String> storeArguments(Path dir) {
        return List.of("--exporter.redis.enabled=true", "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port(), "--exporter.redis.key-prefix=e2e-" + dir.getFileName());
    }

}
