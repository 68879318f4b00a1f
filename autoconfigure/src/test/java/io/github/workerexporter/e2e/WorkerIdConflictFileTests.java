package io.github.workerexporter.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * {@link AbstractWorkerIdConflictTests} over a shared directory.
 *
 * @author Worker Exporter
 */
class WorkerIdConflictFileTests extends AbstractWorkerIdConflictTests {

    @Override
    List<String> storeArguments(Path dir) {
        return List.of("--exporter.prometheus.multiproc-dir=" + dir.resolve("metrics"));
    }

}
