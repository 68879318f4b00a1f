package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.WorkerLife;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * A JVM that claims a worker id in a shared directory, as a worker's first flush does,
 * prints {@code ready}, and holds the id until the end of its standard input (or a
 * {@code kill -9}). Arguments: the directory, the worker id.
 *
 * @author Worker Exporter
 */
public final class WorkerIdHolder {

    private WorkerIdHolder() {
    }

    public static void main(String[] args) throws IOException {
        ProcessHandle self = ProcessHandle.current();
        long start = self.info().startInstant().orElseThrow().toEpochMilli();
        try (FileMetricStore store = new FileMetricStore(Path.of(args[0]), Duration.ofMinutes(5), Clock.systemUTC())) {
            store.publish(new WorkerRecord(args[1], self.pid(), start, System.currentTimeMillis(), WorkerState.RUNNING,
                    null, new byte[] { 7 }), new WorkerLife(self.pid(), "holder-host", start));
            System.out.println("ready");
            System.out.flush();
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

}
