package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * A JVM that does nothing but create worker files in a shared directory, one after the
 * other, each under a temporary file moved into place, then removed: records of 4 MiB, so
 * that most of its time is spent between a temporary file's creation and its move, where
 * a {@code SIGSTOP} or a {@code kill -9} at a random moment most likely lands. It never
 * sweeps. Prints {@code ready}, then stops at the end of its standard input and prints
 * {@code created <n> failed <n>}, with the message of each failure before. Argument: the
 * directory.
 *
 * @author Worker Exporter
 */
public final class TemporaryFilesWriter {

    private TemporaryFilesWriter() {
    }

    public static void main(String[] args) {
        FileMetricStore store = new FileMetricStore(Path.of(args[0]), Duration.ofMinutes(5), Clock.systemUTC(), false);
        Thread input = new Thread(() -> {
            try {
                System.in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            catch (IOException ex) {
                // the end of the input all the same
            }
        });
        input.start();
        byte[] metrics = new byte[4 << 20];
        long pid = ProcessHandle.current().pid();
        long created = 0;
        long failed = 0;
        System.out.println("ready");
        System.out.flush();
        while (input.isAlive()) {
            try {
                store.publish(new WorkerRecord("child", pid, 1000, System.currentTimeMillis(), WorkerState.RUNNING,
                        null, metrics));
                created++;
                store.remove("child");
            }
            catch (StoreException ex) {
                failed++;
                System.out.println(ex.getMessage());
            }
        }
        System.out.println("created " + created + " failed " + failed);
        System.out.flush();
    }

}
