package io.github.workerexporter.e2e;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.workerexporter.storage.redis.RedisServerExtension;

/**
 * {@link AbstractWorkerIdConflictTests} over a real Redis server that this class starts,
 * each test under a key prefix of its own.
 *
 * @author Worker Exporter
 */
class WorkerIdConflictRedisTests extends AbstractWorkerIdConflictTests {

    @RegisterExtension
    static final RedisServerExtension redis = RedisServerExtension.started();

    @Override
    List<String> storeArguments(Path dir) {
        return List.of("--exporter.redis.enabled=true", "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port(), "--exporter.redis.key-prefix=e2e-" + dir.getFileName());
    }

}
