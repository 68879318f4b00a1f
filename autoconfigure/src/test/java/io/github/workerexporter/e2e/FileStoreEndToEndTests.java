package io.github.workerexporter.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * The end-to-end proofs over a shared directory.
 *
 * @author Worker Exporter
 */
class FileStoreEndToEndTests extends AbstractSharedStoreEndToEndTests {

    @Override
    List<String> storeArguments(Path dir) {
        return List.of("--exporter.prometheus.multiproc-dir=" + dir.resolve("multiproc"));
    }

    @Override
    String retention(int seconds) {
        return "--exporter.storage.retention=" + seconds + "s";
    }

}
