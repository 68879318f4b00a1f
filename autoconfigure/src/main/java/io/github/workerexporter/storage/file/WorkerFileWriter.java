package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.TemporaryFiles.Temporary;

/**
 * The single writer of one worker's file, alternating between the two slots of
 * {@link WorkerFileLayout} so that the last complete record survives a write cut short
 * ({@code kill -9}). A new file is prepared under a temporary name of its own
 * ({@link TemporaryFiles}, locked meanwhile) and moved into place once its first record
 * is written, so readers never see an empty header. Not thread-safe: the flusher is its
 * only caller.
 * <p>
 * Positional writes into the page cache that readers in other processes read, not a
 * memory mapping: a store into a mapping whose page is gone (the file truncated by
 * someone else) or cannot be allocated (a full disk) raises {@code SIGBUS}, which the JVM
 * turns into an asynchronous {@link InternalError} that may surface anywhere in the
 * flusher thread, even inside the collection of a histogram, which it then leaves broken.
 * A positional write fails with an {@link IOException} instead. The file grows with
 * zeros, never sparsely, before a body is written into the new space: on a full disk the
 * growth fails and the last whole record stays readable. {@link #intact()} tells the
 * caller to start a new file when its file was truncated, deleted or replaced under it,
 * or when a write failed half-way.
 *
 * @author Worker Exporter
 */
final class WorkerFileWriter implements AutoCloseable {

    private static final int INITIAL_CAPACITY = 4096;

    private final Path path;

    private final @Nullable Object fileKey;

    private final FileChannel channel;

    private long size;

    private long generation;

    private int newest = 1;

    private final int[] offsets = new int[2];

    private final int[] capacities = new int[2];

    private boolean failed;

    WorkerFileWriter(Path path, WorkerRecord first) throws IOException {
        this.path = path;
        int capacity = capacityFor(WorkerFileLayout.body(first).length);
        Temporary temporary = TemporaryFiles.create(path);
        this.channel = temporary.channel();
        try {
            this.offsets[0] = WorkerFileLayout.HEADER_LENGTH;
            this.offsets[1] = WorkerFileLayout.HEADER_LENGTH + capacity;
            this.capacities[0] = capacity;
            this.capacities[1] = capacity;
            grow(WorkerFileLayout.HEADER_LENGTH + 2L * capacity);
            write(first);
            this.fileKey = Files.readAttributes(temporary.path(), BasicFileAttributes.class).fileKey();
            Files.move(temporary.path(), path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException | RuntimeException ex) {
            // A full disk or a read-only directory: leave neither a descriptor nor a
            // file.
            this.channel.close();
            Files.deleteIfExists(temporary.path());
            throw ex;
        }
        finally {
            TemporaryFiles.prepared(temporary);
        }
    }

    Path path() {
        return this.path;
    }

    /**
     * Whether this writer can go on writing its file: the file at its path is still the
     * one it writes, as long as it made it, and its last write completed. Else the caller
     * closes it and starts a new file.
     * @return whether the file is intact
     */
    boolean intact() {
        if (this.failed) {
            return false;
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(this.path, BasicFileAttributes.class);
            return Objects.equals(attributes.fileKey(), this.fileKey) && attributes.size() >= this.size;
        }
        catch (IOException ex) {
            return false;
        }
    }

    /**
     * Write a record into the older slot: its body first (moved past the end of the file,
     * grown, when it does not fit), then the slot's fields. The magic and version go with
     * every slot: a file truncated under a write is whole again after it.
     */
    void write(WorkerRecord record) throws IOException {
        byte[] body = WorkerFileLayout.body(record);
        int slot = 1 - this.newest;
        if (body.length > this.capacities[slot]) {
            // A growth that fails (a full disk) leaves both slots as they were: the
            // writer stays intact and grows again at the next flush.
            int capacity = capacityFor(body.length);
            if (this.size + capacity > Integer.MAX_VALUE) {
                throw new IOException("a record of " + body.length + " bytes does not fit in a worker file");
            }
            long end = this.size;
            grow(end + capacity);
            this.offsets[slot] = (int) end;
            this.capacities[slot] = capacity;
        }
        this.failed = true;
        writeFully(ByteBuffer.wrap(body), this.offsets[slot]);
        // The body before the slot that points to it: a reader that sees the new slot
        // sees its body (one thread's writes reach the page cache in order).
        writeFully(ByteBuffer.allocate(8).putInt(WorkerFileLayout.MAGIC).putInt(WorkerFileLayout.VERSION).flip(), 0);
        writeFully(ByteBuffer.wrap(WorkerFileLayout.slot(++this.generation, record, this.offsets[slot], body)),
                WorkerFileLayout.slotOffset(slot));
        this.newest = slot;
        this.failed = false;
    }

    /**
     * Grow only, so a reader's shorter view stays valid, and with zeros, never sparsely,
     * so every byte is allocated before a record is written into it.
     */
    private void grow(long size) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(INITIAL_CAPACITY);
        long at = Math.max(this.size, this.channel.size());
        while (at < size) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
            at += this.channel.write(zeros, at);
        }
        this.size = size;
    }

    private void writeFully(ByteBuffer source, long position) throws IOException {
        long at = position;
        while (source.hasRemaining()) {
            at += this.channel.write(source, at);
        }
    }

    private static int capacityFor(int bodyLength) {
        int capacity = INITIAL_CAPACITY;
        while (capacity < bodyLength && capacity < (1 << 30)) {
            capacity *= 2;
        }
        return Math.max(capacity, bodyLength);
    }

    @Override
    public void close() throws IOException {
        this.channel.close();
    }

}
