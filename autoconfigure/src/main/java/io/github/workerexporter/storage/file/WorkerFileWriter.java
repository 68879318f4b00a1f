package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
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
 * The single writer of one worker's file, through a memory mapping, with the seqlock of
 * {@link WorkerFileLayout}. A new file is prepared under a temporary name and moved into
 * place once its first record is written, so readers never see an empty header. Not
 * thread-safe: the flusher is its only caller.
 * <p>
 * The file grows by writing zeros, never sparsely: on a full file system the growth fails
 * with an {@link IOException}, before the seqlock is taken, where a store into an
 * unallocated page of the mapping would raise {@code SIGBUS} (an asynchronous
 * {@link InternalError}). For the same reason {@link #intact()} tells the caller to start
 * a new file when its file was truncated, deleted or replaced under it.
 *
 * @author Worker Exporter
 */
final class WorkerFileWriter implements AutoCloseable {

    private static final int INITIAL_CAPACITY = 4096;

    private final Path path;

    private final @Nullable Object fileKey;

    private FileChannel channel;

    private MappedByteBuffer buffer;

    private long sequence;

    WorkerFileWriter(Path path, WorkerRecord first) throws IOException {
        this.path = path;
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        int bodyLength = WorkerFileLayout.body(first).length;
        this.channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            this.buffer = map(capacityFor(bodyLength));
            this.buffer.putInt(0, WorkerFileLayout.MAGIC);
            this.buffer.putInt(4, WorkerFileLayout.VERSION);
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
     * one it maps, as long as its mapping, and its last write completed. Else the caller
     * closes it and starts a new file.
     * @return whether the file is intact
     */
    boolean intact() {
        if ((this.sequence & 1) != 0) {
            return false;
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(this.path, BasicFileAttributes.class);
            return Objects.equals(attributes.fileKey(), this.fileKey) && attributes.size() >= this.buffer.capacity();
        }
        catch (IOException ex) {
            return false;
        }
    }

    void write(WorkerRecord record) throws IOException {
        byte[] body = WorkerFileLayout.body(record);
        if (WorkerFileLayout.HEADER_LENGTH + body.length > this.buffer.capacity()) {
            this.buffer = map(capacityFor(body.length));
        }
        CRC32 crc = new CRC32();
        crc.update(body);
        WorkerFileLayout.LONGS.setVolatile(this.buffer, WorkerFileLayout.SEQUENCE, ++this.sequence);
        VarHandle.storeStoreFence();
        this.buffer.putLong(WorkerFileLayout.PID, record.pid());
        this.buffer.putLong(WorkerFileLayout.START_TIME, record.startTimeMillis());
        this.buffer.putLong(WorkerFileLayout.HEARTBEAT, record.heartbeatMillis());
        this.buffer.putInt(WorkerFileLayout.BODY_LENGTH, body.length);
        this.buffer.putInt(WorkerFileLayout.BODY_CRC, (int) crc.getValue());
        this.buffer.put(WorkerFileLayout.HEADER_LENGTH, body);
        WorkerFileLayout.LONGS.setRelease(this.buffer, WorkerFileLayout.SEQUENCE, ++this.sequence);
    }

    private MappedByteBuffer map(long capacity) throws IOException {
        // Grow only, so a reader's shorter view stays valid, and with zeros: every page
        // of the mapping is allocated, so a full disk fails here and not in a store.
        ByteBuffer zeros = ByteBuffer.allocate(INITIAL_CAPACITY);
        long size = this.channel.size();
        while (size < capacity) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), capacity - size));
            size += this.channel.write(zeros, size);
        }
        return this.channel.map(MapMode.READ_WRITE, 0, capacity);
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
