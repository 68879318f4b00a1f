package io.github.workerexporter.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

import io.github.workerexporter.testing.LoopbackHttp.Answer;
import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.storage.file.FileStoreFaultsSupport;
import io.github.workerexporter.storage.file.FileStoreFaultsSupport.Result;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.util.FileSystemUtils;

import static io.github.workerexporter.e2e.FileFaultsTests.file;
import static io.github.workerexporter.e2e.Totals.requests;
import static io.github.workerexporter.e2e.Totals.total;
import static io.github.workerexporter.e2e.Workers.DEADLINE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The long shared-directory faults, with two real worker JVMs ({@link E2eWorker}) each,
 * real HTTP on loopback and real faults of the file system: the directory deleted, made
 * read-only, and a full disk (a file size limit, and a full tmpfs where this process may
 * mount one). Each test sends requests through the fault and checks that none fails, that
 * the failure is logged once at WARN, that the workers recover by themselves, and that
 * the merged {@code gunicorn_worker_requests_total} is exact once the fault has ended:
 * each worker's equals the requests its application counted itself
 * ({@link Workers#awaitExact}). Counters are cumulative in each worker, so a flush that
 * fails loses nothing: the next one that succeeds writes the whole count.
 *
 * @author Worker Exporter
 */
@Tag("reliability")
class FileFaultsReliabilityTests {

    private static final List<String> DROP_ROOT_POWERS = List.of("setpriv",
            "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search");

    private static final String FLUSH_FAILED = "Flush to file storage failed";

    @TempDir
    Path dir;

    /**
     * {@code rm -rf} of the directory, three times while both workers serve: each
     * worker's next flush creates the directory and its file again. A scrape while the
     * directory is gone answers with the scraped worker's own metrics. Lost: nothing of
     * running workers; the files of workers that had stopped go with the directory.
     */
    @Test
    void workersRecreateTheDirectoryDeletedUnderThemAndLoseNothing() {
        Path shared = this.dir.resolve("multiproc");
        try (Workers workers = workers(List.of(), shared)) {
            List<Worker> all = workers.start("w1", "w2");
            warmUp(workers, all);
            Load load = workers.load(all, Integer.MAX_VALUE, 2);
            for (int round = 0; round < 3; round++) {
                deleteRecursively(shared);
                assertAnswers(workers.scrapeRaw(all.get(0)));
                awaitFiles(shared, "w1", "w2");
            }
            load.stop();
            assertThat(load.failed()).isZero();
            for (Worker worker : all) {
                assertThat(load.ok(worker)).as(worker.id()).isPositive();
            }
            for (Worker worker : all) {
                workers.awaitExact(worker, DEADLINE, all, (exposition) -> onlyThese(exposition, all));
            }
            for (Worker worker : all) {
                System.out.printf("rm -rf x3: %s logged %s%n", worker.id(),
                        worker.log().lines().filter((line) -> line.contains(" WARN ")).toList());
                assertLoggedOncePerEpisode(worker, FLUSH_FAILED, "Flush to file storage recovered", 3);
                assertLoggedOncePerEpisode(worker, "Read of file storage failed", "Read of file storage recovered", 3);
            }
        }
    }

    /**
     * The directory made read-only: with {@code chmod 555}, for a root test with
     * {@code setpriv} taking from the workers root's power to ignore permission bits, or
     * else with a read-only bind mount. A worker keeps writing the file it has open, so
     * the fault shows where a file must be created: a worker whose file was removed
     * cannot write a new one until the directory is writable again, and a worker that
     * starts meanwhile refuses to start, naming the property. Lost: nothing; the removed
     * worker's series are missing from the merged view while the directory is read-only.
     */
    @Test
    void aWorkerThatCannotCreateItsFileInAReadOnlyDirectoryRetriesUntilItIsWritableAndLosesNothing() {
        Path shared = this.dir.resolve("multiproc");
        ReadOnly readOnly = ReadOnly.choose(this.dir.resolve("probe"));
        try (Workers workers = workers(readOnly.wrapper(), shared)) {
            List<Worker> all = workers.start("w1", "w2");
            Worker w1 = all.get(0);
            Worker w2 = all.get(1);
            warmUp(workers, all);
            signal("STOP", w2);
            try {
                delete(file(shared, "w2"));
                readOnly.on(shared);
            }
            finally {
                signal("CONT", w2);
            }
            try {
                assertThat(workers.send(w1, 300).ok()).isEqualTo(300);
                assertThat(workers.send(w2, 300).ok()).isEqualTo(300);
                workers.awaitLog(w2, FLUSH_FAILED);
                RequestExposition during = workers.awaitExact(w1, DEADLINE, List.of(w1));
                assertThat(requests(during, "w2")).isZero();
                String refused = workers.startFailing("w3");
                assertThat(refused).contains("exporter.prometheus.multiproc-dir").contains("not writable");
                assertThat(Files.exists(file(shared, "w2"))).isFalse();
            }
            finally {
                readOnly.off(shared);
            }
            workers.awaitExact(w1, DEADLINE, all, (exposition) -> onlyThese(exposition, all));
            System.out.printf("read-only (%s): %s%n", readOnly, w2.warnings(FLUSH_FAILED));
            assertThat(w2.warnings(FLUSH_FAILED)).hasSize(1);
            workers.awaitLog(w2, "Flush to file storage recovered");
            assertThat(w1.warnings(FLUSH_FAILED)).isEmpty();
        }
    }

    /**
     * A disk that is full for one worker: its {@code RLIMIT_FSIZE} (set and lifted with
     * {@code prlimit} while it runs) below what its growing record needs, so the growth
     * of its file fails with {@code EFBIG}, which works as root and not. Lost: nothing;
     * while the disk is full the merged view serves the worker's last whole record.
     */
    @Test
    void aWorkerWhoseFileCannotGrowUnderAFileSizeLimitRetriesUntilItCanAndLosesNothing() {
        Path shared = this.dir.resolve("multiproc");
        diskFull(shared, (worker) -> new FileSizeLimit(worker, file(shared, worker.id())));
    }

    /**
     * Both workers serve; the disk fills up for {@code w1}, which then grows its record
     * with new series until its flush fails; requests go on; the fault ends; the merged
     * totals are exact.
     */
    private void diskFull(Path shared, Function<Worker, Fault> faults) {
        try (Workers workers = workers(List.of(), shared)) {
            List<Worker> all = workers.start("w1", "w2");
            Worker w1 = all.get(0);
            Worker w2 = all.get(1);
            warmUp(workers, all);
            Fault fault = faults.apply(w1);
            fault.on();
            int series = 0;
            try {
                while (w1.warnings(FLUSH_FAILED).isEmpty() && series < 20_000) {
                    int first = series;
                    Load grown = workers.load(List.of(w1), 200, 2, (n) -> "/grow/" + (first + n)).await();
                    assertThat(grown.ok()).isEqualTo(200);
                    series += 200;
                    Workers.sleep(500);
                }
                assertThat(w1.warnings(FLUSH_FAILED)).singleElement().asString().contains(fault.error());
                assertThat(workers.send(w1, 300).ok()).isEqualTo(300);
                assertThat(workers.send(w2, 300).ok()).isEqualTo(300);
                int grownSeries = series;
                RequestExposition during = workers.awaitExact(w2, DEADLINE, List.of(w2));
                // The last whole record of w1, from before its file had to grow.
                assertThat(requests(during, "w1")).isBetween(300.0, 300.0 + grownSeries - 1);
            }
            finally {
                fault.off();
            }
            int grownSeries = series;
            RequestExposition after = workers.awaitExact(w2, DEADLINE, all, (exposition) -> onlyThese(exposition, all));
            assertThat(after.series("fault_series_total")).hasSize(grownSeries);
            System.out.printf("disk full after %d new series: %s%n", grownSeries, w1.warnings(FLUSH_FAILED));
            assertThat(w1.warnings(FLUSH_FAILED)).hasSize(1);
            workers.awaitLog(w1, "Flush to file storage recovered");
            assertLoggedOncePerEpisode(w2, FLUSH_FAILED, "Flush to file storage recovered", 1);
        }
    }

    private Workers workers(List<String> wrapper, Path shared) {
        return FileFaultsTests.workers(this.dir.resolve("logs"), wrapper, shared);
    }

    /**
     * 300 requests to each worker, until the merged view has them all.
     */
    private static void warmUp(Workers workers, List<Worker> all) {
        for (Worker worker : all) {
            assertThat(workers.send(worker, 300).ok()).isEqualTo(300);
        }
        workers.awaitExact(all.get(0), DEADLINE, all);
    }

    /**
     * The merged view counts the requests of these workers and of no other.
     */
    private static boolean onlyThese(RequestExposition exposition, List<Worker> workers) {
        return total(exposition) == workers.stream().mapToDouble((worker) -> requests(exposition, worker.id())).sum();
    }

    private static void assertAnswers(Answer answer) {
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    /**
     * A failure is logged at WARN once per episode, and each episode ends with its
     * recovery.
     */
    private static void assertLoggedOncePerEpisode(Worker worker, String failed, String recovered, int episodes) {
        List<String> warnings = worker.warnings(failed);
        assertThat(warnings).as(worker.id() + ": " + failed).hasSizeLessThanOrEqualTo(episodes);
        long recoveries = worker.log().lines().filter((line) -> line.contains(recovered)).count();
        assertThat(recoveries).as(worker.id() + ": " + recovered).isEqualTo(warnings.size());
    }

    /**
     * {@code rm -rf}, again when a worker created a file while it ran.
     */
    private static void deleteRecursively(Path directory) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                if (FileSystemUtils.deleteRecursively(directory)) {
                    return;
                }
            }
            catch (IOException ex) {
                // A worker wrote in it meanwhile.
            }
        }
        throw new AssertionError("Cannot delete " + directory);
    }

    private static void awaitFiles(Path shared, String... ids) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            if (Arrays.stream(ids).allMatch((id) -> Files.exists(file(shared, id)))) {
                return;
            }
            Workers.sleep(50);
        }
        throw new AssertionError("The workers did not write their files again in " + shared);
    }

    private static void signal(String signal, Worker worker) {
        Result kill = FileStoreFaultsSupport.run("kill", "-" + signal, Long.toString(worker.pid()));
        assertThat(kill.exitCode()).as(kill.output()).isZero();
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * A fault of the file system that a test turns on and off.
     */
    interface Fault {

        void on();

        void off();

        /**
         * What the failed flush says.
         * @return the text of the error
         */
        String error();

    }

    /**
     * A soft {@code RLIMIT_FSIZE} of one worker as long as its file: the file cannot
     * grow. HotSpot ignores {@code SIGXFSZ}, so the write fails with {@code EFBIG}.
     */
    static final class FileSizeLimit implements Fault {

        private final Worker worker;

        private final Path file;

        FileSizeLimit(Worker worker, Path file) {
            this.worker = worker;
            this.file = file;
        }

        @Override
        public void on() {
            prlimit(Long.toString(currentFileSize()));
        }

        @Override
        public void off() {
            prlimit("unlimited");
        }

        @Override
        public String error() {
            return "File too large";
        }

        private long currentFileSize() {
            try {
                return Files.size(this.file);
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        private void prlimit(String soft) {
            Result result = FileStoreFaultsSupport.run("prlimit", "--pid", Long.toString(this.worker.pid()),
                    "--fsize=" + soft + ":");
            assertThat(result.exitCode()).as(result.output()).isZero();
        }

    }

    /**
     * How this process makes a directory read-only for the workers: permission bits when
     * it is not root; when root, permission bits with the workers under {@code setpriv}
     * without root's power to ignore them, or else a read-only bind mount.
     *
     * @param wrapper the command before the workers' {@code java}
     * @param bindMount whether a read-only bind mount, else {@code chmod}
     */
    record ReadOnly(List<String> wrapper, boolean bindMount) {

        static ReadOnly choose(Path probe) {
            if (!FileStoreFaultsSupport.isRoot()) {
                return new ReadOnly(List.of(), false);
            }
            try {
                Files.createDirectories(probe);
                Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("r-xr-xr-x"));
                List<String> touch = new ArrayList<>(DROP_ROOT_POWERS);
                touch.addAll(List.of("sh", "-c", "touch \"$0/x\"", probe.toString()));
                Result result = FileStoreFaultsSupport.run(touch);
                Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rwxr-xr-x"));
                if (result.exitCode() > 0 && result.output().contains("Permission denied")) {
                    return new ReadOnly(DROP_ROOT_POWERS, false);
                }
                ReadOnly mount = new ReadOnly(List.of(), true);
                mount.on(probe);
                try {
                    Files.createFile(probe.resolve("x"));
                }
                catch (IOException ex) {
                    return mount;
                }
                finally {
                    mount.off(probe);
                }
            }
            catch (IOException | AssertionError ex) {
                throw new AssertionError("Cannot make a directory read-only for a root worker here: "
                        + "neither setpriv nor a read-only bind mount works", ex);
            }
            throw new AssertionError("Cannot make a directory read-only for a root worker here: "
                    + "neither setpriv nor a read-only bind mount works");
        }

        void on(Path directory) {
            if (this.bindMount) {
                run("mount", "--bind", directory.toString(), directory.toString());
                run("mount", "-o", "remount,bind,ro", directory.toString());
            }
            else {
                permissions(directory, "r-xr-xr-x");
            }
        }

        void off(Path directory) {
            if (this.bindMount) {
                run("umount", "-l", directory.toString());
            }
            else {
                permissions(directory, "rwxr-xr-x");
            }
        }

        private static void run(String... command) {
            Result result = FileStoreFaultsSupport.run(command);
            assertThat(result.exitCode()).as(String.join(" ", command) + ": " + result.output()).isZero();
        }

        private static void permissions(Path directory, String permissions) {
            try {
                Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString(permissions));
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

    }

}
