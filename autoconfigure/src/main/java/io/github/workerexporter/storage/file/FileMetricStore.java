package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.storage.HeartbeatAges;
import io.github.workerexporter.storage.HeartbeatAges.Stamp;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerIdConflictException;
import io.github.workerexporter.storage.WorkerLife;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * Shared storage in a directory on one host: one file per worker, written in place only
 * by that worker (layout in {@link WorkerFileLayout}), read by any worker or sidecar. The
 * file name is {@code worker-<hex of the UTF-8 worker id>.metrics} (or
 * {@code worker-h<SHA-256>.metrics} for long ids), never the pid, and safe on
 * case-insensitive file systems.
 * <p>
 * A worker that publishes with its {@link WorkerLife life}
 * ({@link #publish(WorkerRecord, WorkerLife)}) claims its worker id first: it holds an
 * exclusive lock on the id's lock file ({@link WorkerLock}) until it ends, and another
 * live process that finds the lock held gets a {@link WorkerIdConflictException} and
 * writes nothing. The kernel releases the lock of a process that dies, so a life started
 * right after a {@code kill -9} of the previous one takes the id over.
 * <p>
 * Expiry: records whose last flush is older than the retention (stopped workers and lost
 * ones) have expired and are not read; the age of a flush is measured on this JVM's
 * monotonic clock ({@link HeartbeatAges}), so a jump of the wall clock expires nothing.
 * At a clean exit a worker publishes itself {@code stopped} and leaves its file, so its
 * counters stay in the merged view until the retention has passed. A read never deletes
 * anything. When the store deletes expired files ({@code cleanup.db-files}),
 * {@link #sweep()} removes the files of workers whose lock is free (their process ended)
 * and whose data is older than the retention, lock files whose process ended before its
 * first flush, and the temporary files of workers that died before their first flush once
 * they are older than the heartbeat timeout (never one a live writer is about to move
 * into place: see {@link TemporaryFiles}). It runs when the store opens and on the flush
 * path: at most once per heartbeat timeout, before a publish. Otherwise the exporter
 * never deletes a file.
 * <p>
 * A foreign, truncated or corrupt file is skipped with one WARN per file, then DEBUG;
 * {@link #readAll()} still answers with the other files. A read copies no record's
 * metrics when its reader decodes them in place ({@link #readAll(Function)}): each file
 * is read into a buffer the reading thread reuses.
 *
 * @author Worker Exporter
 */
public final class FileMetricStore implements MetricStore {

    private static final Logger logger = LoggerFactory.getLogger(FileMetricStore.class);

    private static final String PREFIX = "worker-";

    private static final String SUFFIX = ".metrics";

    private final Path directory;

    private final Duration retention;

    private final Duration sweepInterval;

    private final LongSupplier nanoTime;

    private final HeartbeatAges ages;

    private final TemporaryFiles temporaries;

    private final boolean deleteExpired;

    private final Map<String, WorkerFileWriter> writers = new ConcurrentHashMap<>();

    private final Map<String, WorkerLock> claims = new ConcurrentHashMap<>();

    private volatile long lastSweep;

    private final Set<Path> warned = ConcurrentHashMap.newKeySet();

    /**
     * Open a store that deletes expired files (temporary ones older than the retention),
     * creating the directory and sweeping.
     * @param directory the shared directory
     * @param retention how long the data of a worker that stopped flushing stays
     * @param clock the clock of heartbeats
     * @throws StoreException when the directory cannot be created
     */
    public FileMetricStore(Path directory, Duration retention, Clock clock) {
        this(directory, retention, clock, true);
    }

    /**
     * Open the store, creating the directory and sweeping expired files (temporary ones
     * older than the retention) if it deletes them.
     * @param directory the shared directory
     * @param retention how long the data of a worker that stopped flushing stays
     * @param clock the clock of heartbeats
     * @param deleteExpired whether expired files are deleted, else left in place
     * @throws StoreException when the directory cannot be created
     */
    public FileMetricStore(Path directory, Duration retention, Clock clock, boolean deleteExpired) {
        this(directory, retention, retention, clock, System::nanoTime, deleteExpired);
    }

    /**
     * Open the store, creating the directory and sweeping expired files if it deletes
     * them.
     * @param directory the shared directory
     * @param retention how long the data of a worker that stopped flushing stays
     * @param heartbeatTimeout how long the temporary file of a worker that died before
     * its first flush stays
     * @param clock the wall clock that heartbeats are compared with at first sight
     * @param nanoTime a monotonic clock in nanoseconds, such as {@link System#nanoTime()}
     * @param deleteExpired whether expired files are deleted, else left in place
     * @throws StoreException when the directory cannot be created
     */
    public FileMetricStore(Path directory, Duration retention, Duration heartbeatTimeout, Clock clock,
            LongSupplier nanoTime, boolean deleteExpired) {
        this.directory = directory;
        this.retention = retention;
        this.sweepInterval = heartbeatTimeout;
        this.nanoTime = nanoTime;
        this.ages = new HeartbeatAges(clock, nanoTime);
        this.temporaries = new TemporaryFiles(heartbeatTimeout, clock, nanoTime);
        this.deleteExpired = deleteExpired;
        try {
            Files.createDirectories(directory);
        }
        catch (IOException ex) {
            throw new StoreException("Cannot create the shared directory " + directory, ex);
        }
        sweep();
    }

    @Override
    public String name() {
        return "file";
    }

    /**
     * {@inheritDoc}
     * <p>
     * When this worker's file was truncated, deleted or replaced under it (a sweep,
     * {@code rm -rf} of the directory, a neighbour), or its last write did not complete,
     * the record goes to a new file, in a directory created again if it is gone.
     */
    @Override
    public void publish(WorkerRecord record) {
        sweepIfDue();
        write(record);
    }

    /**
     * {@inheritDoc}
     * <p>
     * The claim is the lock of the id's lock file, taken at the first publish and held
     * until {@link #close()}; when the lock file was deleted under it, the id is claimed
     * again.
     */
    @Override
    public void publish(WorkerRecord record, WorkerLife life) {
        sweepIfDue();
        String workerId = record.workerId();
        WorkerLock claim = this.claims.get(workerId);
        if (claim == null || !claim.intact()) {
            if (claim != null) {
                this.claims.remove(workerId);
                claim.close();
            }
            try {
                Files.createDirectories(this.directory);
                this.claims.put(workerId, WorkerLock.claim(lockOf(workerId), workerId, life));
            }
            catch (IOException ex) {
                throw new StoreException(
                        "Cannot claim worker id " + workerId + " in " + lockOf(workerId) + " (" + ex + ")", ex);
            }
        }
        write(record);
    }

    /**
     * Write the record; when this worker's file was truncated, deleted or replaced under
     * it (a sweep, {@code rm -rf} of the directory, a neighbour), or its last write did
     * not complete, the record goes to a new file, in a directory created again if it is
     * gone.
     */
    private void write(WorkerRecord record) {
        String workerId = record.workerId();
        WorkerFileWriter writer = this.writers.get(workerId);
        try {
            if (writer != null && writer.intact()) {
                writer.write(record);
                return;
            }
            if (writer != null) {
                this.writers.remove(workerId);
                writer.close();
            }
            Files.createDirectories(this.directory);
            this.writers.put(workerId, new WorkerFileWriter(pathOf(workerId), record));
        }
        catch (IOException ex) {
            throw new StoreException("Cannot write " + pathOf(workerId) + " (" + ex + ")", ex);
        }
    }

    @Override
    public List<WorkerRecord> readAll() {
        return readAll(FileMetricStore::owned);
    }

    /**
     * {@inheritDoc}
     * <p>
     * Each file is read into a buffer of the reading thread that the read of the next
     * file reuses: the reader gets each record before the next file is read, its metrics
     * a view of that buffer. A record whose data expired is not answered; the reader gets
     * it only when it had not expired yet at this store's previous read (its age is known
     * once every file is read).
     */
    @Override
    public <T> List<T> readAll(Function<? super WorkerRecord, ? extends T> reader) {
        List<T> read = new ArrayList<>();
        for (Aged<T> aged : this.<T>read(files(), reader)) {
            if (!aged.expired()) {
                read.add(aged.value());
            }
        }
        return read;
    }

    /**
     * Delete, if this store deletes expired files, the files of workers whose process
     * ended (their lock is free) and whose data is older than the retention, the lock
     * files of processes that ended before their first flush, and the temporary files of
     * workers that died before their first flush once older than the heartbeat timeout.
     */
    public void sweep() {
        this.lastSweep = this.nanoTime.getAsLong();
        if (!this.deleteExpired) {
            return;
        }
        List<Listed> files = files();
        this.temporaries.sweep(files.stream()
            .filter((file) -> file.name().endsWith(TemporaryFiles.SUFFIX))
            .map(Listed::path)
            .toList());
        List<Aged<String>> read = read(files, WorkerRecord::workerId);
        Set<Path> locks = new HashSet<>();
        files.stream()
            .filter((file) -> file.name().endsWith(WorkerLock.SUFFIX))
            .forEach((file) -> locks.add(file.path()));
        Set<Path> data = new HashSet<>();
        read.forEach((aged) -> {
            Path file = aged.file();
            data.add(file);
            if (!aged.expired()) {
                return;
            }
            Path lock = lockFor(file);
            if (locks.remove(lock)) {
                WorkerLock.sweepIfFree(lock, file, true);
            }
            else {
                // Written without a claim: the age alone decides.
                delete(file);
            }
        });
        for (Path lock : locks) {
            Path file = dataFor(lock);
            if (!data.contains(file) && !Files.exists(file)) {
                WorkerLock.sweepIfFree(lock, file, true);
            }
        }
    }

    private void sweepIfDue() {
        if (this.nanoTime.getAsLong() - this.lastSweep >= this.sweepInterval.toNanos()) {
            try {
                sweep();
            }
            catch (StoreException ex) {
                // The flush reports the directory's trouble itself.
                logger.debug("Cannot sweep {}", this.directory, ex);
            }
        }
    }

    /**
     * The worker files of a listing, each read and handed to the reader before the next
     * one is read, with whether each one's data expired. A record whose data had expired
     * at the previous read and is unchanged since has expired still (its age only grows):
     * it is not handed to the reader.
     */
    private <T> List<Aged<T>> read(List<Listed> listing, Function<? super WorkerRecord, ? extends T> reader) {
        List<Named<T>> read = new ArrayList<>(listing.size());
        Map<String, Stamp> stamps = new HashMap<>();
        try (WorkerFileReader files = WorkerFileReader.ofThisThread()) {
            for (Listed listed : listing) {
                if (listed.name().endsWith(SUFFIX)) {
                    WorkerRecord record = read(files, listed.path());
                    if (record != null) {
                        Stamp stamp = new Stamp(record.startTimeMillis(), record.heartbeatMillis());
                        stamps.put(listed.name(), stamp);
                        read.add(this.ages.wasOlderThan(listed.name(), stamp, this.retention)
                                ? new Named<>(listed, null, false) : new Named<>(listed, reader.apply(record), true));
                    }
                }
            }
            Map<String, Duration> ages = this.ages.observe(stamps);
            List<Aged<T>> aged = new ArrayList<>(read.size());
            for (Named<T> named : read) {
                Path file = named.listed().path();
                boolean expired = ages.get(named.listed().name()).compareTo(this.retention) > 0;
                if (expired || named.handed()) {
                    aged.add(new Aged<>(file, named.value(), expired));
                    continue;
                }
                // Young again: a read that left it out came between, and this read saw
                // it first and believed a wall clock that jumped. Read it for the reader.
                WorkerRecord record = read(files, file);
                if (record != null) {
                    aged.add(new Aged<>(file, reader.apply(record), false));
                }
            }
            return aged;
        }
    }

    /**
     * A record that owns its metrics, from one that views the buffer of a read.
     */
    private static WorkerRecord owned(WorkerRecord read) {
        return new WorkerRecord(read.workerId(), read.pid(), read.startTimeMillis(), read.heartbeatMillis(),
                read.state(), read.stopReason(), read.metrics());
    }

    /**
     * Remove a worker's data (no production caller: not part of {@link MetricStore}).
     * @param workerId the worker
     */
    public void remove(String workerId) {
        WorkerFileWriter writer = this.writers.remove(workerId);
        try {
            if (writer != null) {
                writer.close();
            }
        }
        catch (IOException ex) {
            logger.debug("Cannot close {}", pathOf(workerId), ex);
        }
        delete(pathOf(workerId));
        WorkerLock claim = this.claims.remove(workerId);
        if (claim != null) {
            claim.delete();
        }
    }

    /**
     * The shared directory.
     * @return the directory
     */
    public Path directory() {
        return this.directory;
    }

    @Override
    public void close() {
        this.writers.values().forEach((writer) -> {
            try {
                writer.close();
            }
            catch (IOException ex) {
                logger.debug("Cannot close {}", writer.path(), ex);
            }
        });
        this.writers.clear();
        this.claims.values().forEach(WorkerLock::close);
        this.claims.clear();
    }

    Path pathOf(String workerId) {
        byte[] id = workerId.getBytes(StandardCharsets.UTF_8);
        String name = (id.length <= 100) ? HexFormat.of().formatHex(id) : "h" + HexFormat.of().formatHex(sha256(id));
        return this.directory.resolve(PREFIX + name + SUFFIX);
    }

    Path lockOf(String workerId) {
        return lockFor(pathOf(workerId));
    }

    private static Path lockFor(Path data) {
        String name = nameOf(data);
        return data.resolveSibling(name.substring(0, name.length() - SUFFIX.length()) + WorkerLock.SUFFIX);
    }

    private static Path dataFor(Path lock) {
        String name = nameOf(lock);
        return lock.resolveSibling(name.substring(0, name.length() - WorkerLock.SUFFIX.length()) + SUFFIX);
    }

    private static String nameOf(Path file) {
        return file.getFileName().toString();
    }

    /**
     * The worker files, temporary files and lock files of the directory, in one listing.
     */
    private List<Listed> files() {
        List<Listed> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(this.directory)) {
            for (Path file : stream) {
                String name = nameOf(file);
                if (name.startsWith(PREFIX) && (name.endsWith(SUFFIX) || name.endsWith(TemporaryFiles.SUFFIX)
                        || name.endsWith(WorkerLock.SUFFIX))) {
                    files.add(new Listed(file, name));
                }
            }
        }
        catch (IOException ex) {
            throw new StoreException("Cannot list the shared directory " + this.directory, ex);
        }
        return files;
    }

    private @Nullable WorkerRecord read(WorkerFileReader files, Path file) {
        try {
            WorkerRecord record = files.read(file);
            if (record == null) {
                logger.debug("Skipped {}: its writer kept it busy", file);
            }
            return record;
        }
        catch (NoSuchFileException ex) {
            return null;
        }
        catch (IOException | StoreException ex) {
            if (this.warned.add(file)) {
                logger.warn("Skipped {} in the shared directory: {}", file, ex.getMessage());
            }
            else {
                logger.debug("Skipped {} in the shared directory", file, ex);
            }
            return null;
        }
    }

    private void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        }
        catch (IOException ex) {
            logger.debug("Cannot delete {}", file, ex);
        }
    }

    /**
     * What the reader made of a worker's record and whether its data is older than the
     * retention.
     */
    private record Aged<T>(Path file, @Nullable T value, boolean expired) {
    }

    /**
     * A file of the directory's listing and its name.
     */
    private record Listed(Path path, String name) {
    }

    /**
     * What the reader made of the record of a listed worker file, unless it was not
     * handed to the reader.
     */
    private record Named<T>(Listed listed, @Nullable T value, boolean handed) {
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

}
