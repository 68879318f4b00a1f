package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.workerexporter.storage.WorkerIdConflictException;
import io.github.workerexporter.storage.WorkerLife;

/**
 * The claim of a worker id in a shared directory by one live process: an exclusive OS
 * record lock ({@link FileChannel#tryLock()}) on the id's lock file
 * {@code worker-<hex>.lock}, held from the first flush until the process ends. The kernel
 * releases it when the process dies, even by {@code kill -9}, so a free lock means a dead
 * owner and a held one a live owner, whatever the heartbeats say. The holder writes its
 * {@link WorkerLife#token() life} into the file, for the message of a process that finds
 * the lock held.
 * <p>
 * Races, all on the lock:
 * <ul>
 * <li>the sweep ({@link #sweepIfFree}) deletes a lock file only while it holds its lock,
 * after writing a tombstone into it; a claimer that then gets the lock of the deleted
 * file reads the tombstone and starts over with a new file;</li>
 * <li>the sweep holds a free lock for a moment: a claimer that finds the lock held tries
 * again a few times before it tells a conflict;</li>
 * <li>closing any descriptor of a file releases every lock of the process on it (POSIX),
 * so no code of this JVM opens a lock file that a store of this JVM holds or is opening:
 * they are noted in one map per JVM first.</li>
 * </ul>
 * On a file system without locks (some network file systems) a claim always succeeds and
 * the age of the data alone decides the sweep: a shared id is not caught there.
 *
 * @author Worker Exporter
 */
final class WorkerLock implements AutoCloseable {

    static final String SUFFIX = ".lock";

    private static final Logger logger = LoggerFactory.getLogger(WorkerLock.class);

    private static final byte[] TOMBSTONE = "-".getBytes(StandardCharsets.US_ASCII);

    private static final int ATTEMPTS = 5;

    private static final long PAUSE_NANOS = 20_000_000;

    /** The lock files this JVM holds (their holder) or is opening (no holder yet). */
    private static final Map<Path, Holder> thisJvm = new ConcurrentHashMap<>();

    private final Path path;

    private final FileChannel channel;

    private final @Nullable Object fileKey;

    private WorkerLock(Path path, FileChannel channel, @Nullable Object fileKey) {
        this.path = path;
        this.channel = channel;
        this.fileKey = fileKey;
    }

    /**
     * Claim a worker id for a life.
     * @param path the id's lock file
     * @param workerId the worker id, for the message of a conflict
     * @param life the claiming life
     * @return the held claim
     * @throws WorkerIdConflictException when a live process holds it
     * @throws IOException when the lock file cannot be created
     */
    static WorkerLock claim(Path path, String workerId, WorkerLife life) throws IOException {
        Path key = key(path);
        WorkerLife holder = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Holder previous = thisJvm.putIfAbsent(key, new Holder(life));
            if (previous != null) {
                holder = previous.life();
                if (holder != null) {
                    throw new WorkerIdConflictException(workerId, holder, "the shared directory " + path.getParent());
                }
                pause();
                continue;
            }
            boolean claimed = false;
            FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                if (!acquire(channel)) {
                    holder = WorkerLife.parse(read(channel));
                }
                else if (!tombstoned(channel)) {
                    byte[] token = life.token().getBytes(StandardCharsets.UTF_8);
                    channel.truncate(0);
                    channel.write(ByteBuffer.wrap(token), 0);
                    claimed = true;
                    return new WorkerLock(path, channel, fileKey(path));
                }
            }
            finally {
                if (!claimed) {
                    channel.close();
                    thisJvm.remove(key);
                }
            }
            pause();
        }
        throw new WorkerIdConflictException(workerId, holder, "the shared directory " + path.getParent());
    }

    /**
     * Delete a worker's lock file, and its data first, if no live process holds it and
     * the data may go; a lock file this JVM holds is never even opened.
     * @param path the lock file
     * @param data the worker's file (which may be gone)
     * @param dataExpired whether the worker's data is older than the retention (or gone)
     * @return whether the lock was free (then the files were deleted if the data expired)
     */
    static boolean sweepIfFree(Path path, Path data, boolean dataExpired) {
        Path key = key(path);
        if (thisJvm.putIfAbsent(key, new Holder(null)) != null) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (!acquire(channel)) {
                return false;
            }
            if (dataExpired) {
                Files.deleteIfExists(data);
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(TOMBSTONE), 0);
                Files.deleteIfExists(path);
            }
            return true;
        }
        catch (NoSuchFileException ex) {
            return true;
        }
        catch (IOException ex) {
            logger.debug("Cannot sweep {}", path, ex);
            return false;
        }
        finally {
            thisJvm.remove(key);
        }
    }

    /**
     * Whether the claim still holds the file at its path (not deleted or replaced by
     * someone else, such as {@code rm -rf} of the directory).
     * @return whether it is intact
     */
    boolean intact() {
        try {
            return this.channel.isOpen() && Objects.equals(fileKey(this.path), this.fileKey);
        }
        catch (IOException ex) {
            return false;
        }
    }

    /**
     * Delete the lock file and release the claim, leaving a tombstone for any claimer
     * waiting for its lock.
     */
    void delete() {
        try {
            this.channel.truncate(0);
            this.channel.write(ByteBuffer.wrap(TOMBSTONE), 0);
            Files.deleteIfExists(this.path);
        }
        catch (IOException ex) {
            logger.debug("Cannot delete {}", this.path, ex);
        }
        close();
    }

    /**
     * Release the claim (the process goes on, the id is free for another life).
     */
    @Override
    public void close() {
        try {
            this.channel.close();
        }
        catch (IOException ex) {
            logger.debug("Cannot close {}", this.path, ex);
        }
        finally {
            thisJvm.remove(key(this.path));
        }
    }

    /**
     * Take the lock of the file for as long as the channel is open; false when another
     * process holds it. A file system without locks counts as free.
     */
    private static boolean acquire(FileChannel channel) {
        try {
            return channel.tryLock() != null;
        }
        catch (OverlappingFileLockException ex) {
            // Not reached: this JVM notes its lock files before it opens them.
            return false;
        }
        catch (IOException ex) {
            logger.debug("Cannot lock {} (the file system has no locks?)", channel, ex);
            return true;
        }
    }

    private static boolean tombstoned(FileChannel channel) throws IOException {
        return read(channel).equals("-");
    }

    private static String read(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(512);
        long at = 0;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                break;
            }
            at += read;
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).trim();
    }

    private static @Nullable Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    private static Path key(Path path) {
        return path.toAbsolutePath().normalize();
    }

    private static void pause() {
        LockSupport.parkNanos(PAUSE_NANOS);
    }

    private record Holder(@Nullable WorkerLife life) {
    }

}
