package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.storage.HeartbeatAges;

/**
 * The temporary files in which a {@link WorkerFileWriter} prepares a worker's file before
 * it moves the file into place, and the sweep of those left by a worker that died before
 * that move (it is never moved, and its name is never used again).
 * <p>
 * A sweep never deletes the temporary file of a live writer about to move it:
 * <ul>
 * <li>each temporary file has a name of its own ({@code <file>.<random>.tmp}, created
 * only if new), so a sweep never races a writer that reuses the name of a stray
 * file;</li>
 * <li>its writer holds an exclusive lock on it (an OS record lock, released by the kernel
 * when the process dies, even by {@code kill -9}) from right after its creation, before
 * it writes anything, until after the move, and the sweep deletes a file only while it
 * holds that lock itself; a temporary file of a writer in this JVM is never even opened
 * by the sweep (closing any descriptor of a file would release this process's lock on
 * it);</li>
 * <li>a file is swept only once its last modification is older than the timeout, measured
 * on this JVM's monotonic clock once seen ({@link HeartbeatAges});</li>
 * <li>a writer stalled past the timeout between the creation of its (empty) file and its
 * lock may find the file swept, or locked by a sweep about to delete it: it sees that
 * once it holds the lock, and starts over with another file.</li>
 * </ul>
 * On a file system without locks the age alone decides.
 *
 * @author Worker Exporter
 */
final class TemporaryFiles {

    static final String SUFFIX = ".tmp";

    private static final Logger logger = LoggerFactory.getLogger(TemporaryFiles.class);

    private static final Set<Path> preparing = ConcurrentHashMap.newKeySet();

    private final Duration timeout;

    private final HeartbeatAges ages;

    /**
     * Sweep temporary files whose last modification is older than the timeout.
     * @param timeout how long a temporary file may stay unmodified
     * @param clock the wall clock that modification times are compared with at first
     * sight
     * @param nanoTime a monotonic clock in nanoseconds
     */
    TemporaryFiles(Duration timeout, Clock clock, LongSupplier nanoTime) {
        this.timeout = timeout;
        this.ages = new HeartbeatAges(clock, nanoTime);
    }

    /**
     * Create and lock a new temporary file for a worker's file; the caller moves it into
     * place, then calls {@link #prepared}.
     * @param path the worker's file
     * @return the temporary file, open for writing
     * @throws IOException when it cannot be created
     */
    static Temporary create(Path path) throws IOException {
        for (int attempt = 1;; attempt++) {
            Path temporary = path.resolveSibling(path.getFileName() + "."
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + SUFFIX);
            preparing.add(temporary.toAbsolutePath().normalize());
            FileChannel channel = null;
            try {
                channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                }
                catch (IOException ex) {
                    logger.debug("Cannot lock {} (the file system has no locks?)", temporary, ex);
                    return new Temporary(temporary, channel, null);
                }
                if (lock != null && Files.exists(temporary)) {
                    return new Temporary(temporary, channel, lock);
                }
                // Swept before it was locked: this writer stalled past the timeout right
                // after it created the file.
                if (attempt == 3) {
                    throw new IOException("Temporary files for " + path + " were swept before they could be locked");
                }
                channel.close();
                preparing.remove(temporary.toAbsolutePath().normalize());
            }
            catch (IOException | RuntimeException ex) {
                if (channel != null) {
                    channel.close();
                }
                preparing.remove(temporary.toAbsolutePath().normalize());
                throw ex;
            }
        }
    }

    /**
     * Release a temporary file moved into place or deleted.
     * @param temporary the temporary file
     */
    static void prepared(Temporary temporary) {
        FileLock lock = temporary.lock();
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        }
        catch (IOException ex) {
            logger.debug("Cannot release the lock of {}", temporary.path(), ex);
        }
        finally {
            preparing.remove(temporary.path().toAbsolutePath().normalize());
        }
    }

    /**
     * Delete the temporary files, of one complete listing of the directory, that are
     * older than the timeout and that no writer holds.
     * @param files the temporary files of the directory
     */
    void sweep(List<Path> files) {
        Map<String, Path> byName = new LinkedHashMap<>();
        Map<String, Long> modified = new LinkedHashMap<>();
        for (Path file : files) {
            try {
                modified.put(file.toString(), Files.getLastModifiedTime(file).toMillis());
                byName.put(file.toString(), file);
            }
            catch (IOException ex) {
                // Moved into place or swept since the listing.
            }
        }
        this.ages.observeModified(modified).forEach((name, age) -> {
            Path file = byName.get(name);
            if (age.compareTo(this.timeout) > 0 && !preparing.contains(file.toAbsolutePath().normalize())) {
                deleteUnlessHeld(file, age);
            }
        });
    }

    private static void deleteUnlessHeld(Path file, Duration age) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (unheld(channel)) {
                Files.delete(file);
                logger.info("Deleted {}, left by a worker that died before its first flush ({} unmodified)", file, age);
            }
        }
        catch (NoSuchFileException ex) {
            // Swept by another reader since the listing.
        }
        catch (IOException ex) {
            logger.debug("Cannot sweep {}", file, ex);
        }
    }

    /**
     * Whether no writer holds the file: this process now holds its lock (released with
     * the channel), or the file system has no locks and the age alone decides.
     */
    private static boolean unheld(FileChannel channel) {
        try {
            return channel.tryLock() != null;
        }
        catch (OverlappingFileLockException ex) {
            // A writer of this JVM holds it.
            return false;
        }
        catch (IOException ex) {
            return true;
        }
    }

    /**
     * A temporary file being prepared.
     *
     * @param path where it is
     * @param channel open for writing
     * @param lock its writer's lock, or {@code null} on a file system without locks
     */
    record Temporary(Path path, FileChannel channel, @Nullable FileLock lock) {

    }

}
