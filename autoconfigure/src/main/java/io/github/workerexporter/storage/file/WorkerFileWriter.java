package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.zip.CRC32;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.storage.WorkerRecord;

/**
 * The single writer of one worker's file, with the seqlock of {@link WorkerFileLayout},
 * through positional writes into the page cache that readers in other processes read. A
 * new file is prepared under a temporary name and moved into place once its first record
 * is written, so readers never see an empty header. Not thread-safe: the flusher is its
 * only caller.
 * <p>
 * Not a memory mapping: a store into a mapping whose page is gone (the file truncated by
 * someone else) or cannot be allocated (a full disk) raises {@code SIGBUS}, which the JVM
 * turns into an asynchronous {@link InternalError} that may surface anywhere in the
 * flusher thread, even inside the collection of a histogram, which it then leaves broken.
 * A positional write fails with an {@link IOException} instead. The file grows by
 * doubling, with zeros, before the seqlock is taken: on a full disk the growth fails and
 * the last whole record stays readable. {@link #intact()} tells the caller to start a new
 * file when its file was truncated, deleted or replaced under it, or when a write failed
 * half-way.
 *
 * @author Worker Exporter
 */
final class WorkerFileWriter implements AutoCloseable {

    private static final int INITIAL_CAPACITY = 4096;

    private final Path path;

    private final @Nullable Object fileKey;

    private final FileChannel channel;

    private long capacity;

    private long sequence;

    WorkerFileWriter(Path path, WorkerRecord first) throws IOException {
        this.path = path;
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        int bodyLength = WorkerFileLayout.body(first).length;
        this.channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        try {
            grow(capacityFor(bodyLength));
            write(first);
            this.fileKey = Files.readAttributes(temporary, BasicFileAttributes.class).fileKey();
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException | RuntimeException ex) {
            // A full disk or a read-only directory: leave neither a descriptor nor a
            // file.
            this.channel.close();
            Files.deleteIfExists(temporary);
            throw ex;
        }
    }

    Path path() {
        return this.path;
    }

    /**
     * Whether this writer can go on writing its file: the file at its path is still the
     * one it writes, as long as its capacity, and its last write completed. Else the
     * caller closes it and starts a new file.
     * @return whether the file is intact
     */
    boolean intact() {
        if ((this.sequence & 1) != 0) {
            return false;
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(this.path, BasicFileAttributes.class);
            return Objects.equals(attributes.fileKey(), this.fileKey) && attributes.size() >= this.capacity;
        }
        catch (IOException ex) {
            return false;
        }
    }

    void write(WorkerRecord record) throws IOException {
        byte[] body = WorkerFileLayout.body(record);
        if (WorkerFileLayout.HEADER_LENGTH + body.length > this.capacity) {
            grow(capacityFor(body.length));
        }
        CRC32 crc = new CRC32();
        crc.update(body);
        ByteBuffer fields = ByteBuffer.allocate(WorkerFileLayout.HEADER_LENGTH - WorkerFileLayout.PID + body.length)
            .putLong(record.pid())
            .putLong(record.startTimeMillis())
            .putLong(record.heartbeatMillis())
            .putInt(body.length)
            .putInt((int) crc.getValue())
            .put(body)
            .flip();
        // Odd while the fields change; a failure leaves it odd and the writer not intact.
        // The magic and version go with it every time: a file truncated under a write
        // is whole again after it.
        ByteBuffer start = ByteBuffer.allocate(WorkerFileLayout.PID)
            .putInt(WorkerFileLayout.MAGIC)
            .putInt(WorkerFileLayout.VERSION)
            .putLong(++this.sequence)
            .flip();
        writeFully(start, 0);
        writeFully(fields, WorkerFileLayout.PID);
        writeFully(ByteBuffer.allocate(8).putLong(0, ++this.sequence), WorkerFileLayout.SEQUENCE);
    }

    /**
     * Grow only, so a reader's shorter view stays valid, and with zeros, never sparsely,
     * so every byte is allocated before a record is written into it.
     */
    private void grow(long capacity) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(INITIAL_CAPACITY);
        long size = this.channel.size();
        while (size < capacity) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), capacity - size));
            size += this.channel.write(zeros, size);
        }
        this.capacity = capacity;
    }

    private void writeFully(ByteBuffer source, long position) throws IOException {
        long at = position;
        while (source.hasRemaining()) {
            at += this.channel.write(source, at);
        }
    }

    private static long capacityFor(int bodyLength) {
        long needed = (long) WorkerFileLayout.HEADER_LENGTH + bodyLength;
        long capacity = INITIAL_CAPACITY;
        while (capacity < needed) {
            capacity *= 2;
        }
        return capacity;
    }

    @Override
    public void close() throws IOException {
        this.channel.close();
    }

}
