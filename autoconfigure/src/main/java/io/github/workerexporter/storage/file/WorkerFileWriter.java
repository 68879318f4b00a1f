package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

import io.github.workerexporter.storage.WorkerRecord;

/**
 * The single writer of one worker's file, through a memory mapping, with the seqlock of
 * {@link WorkerFileLayout}. A new file is prepared under a temporary name and moved into
 * place once its first record is written, so readers never see an empty header. Not
 * thread-safe: the flusher is its only caller.
 *
 * @author Worker Exporter
 */
final class WorkerFileWriter implements AutoCloseable {

    private static final int INITIAL_CAPACITY = 4096;

    private final Path path;

    private FileChannel channel;

    private MappedByteBuffer buffer;

    private long sequence;

    WorkerFileWriter(Path path, WorkerRecord first) throws IOException {
        this.path = path;
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        this.channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.buffer = map(capacityFor(WorkerFileLayout.body(first).length));
        this.buffer.putInt(0, WorkerFileLayout.MAGIC);
        this.buffer.putInt(4, WorkerFileLayout.VERSION);
        write(first);
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    Path path() {
        return this.path;
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
        if (this.channel.size() < capacity) {
            // Grow only: a reader's shorter view stays valid.
            this.channel.write(java.nio.ByteBuffer.wrap(new byte[1]), capacity - 1);
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
