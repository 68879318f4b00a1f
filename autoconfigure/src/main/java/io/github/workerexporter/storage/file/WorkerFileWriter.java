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

import io.github.workerexporter.storage.WorkerRecord;

/**
 * The single writer of one worker's file, through a memory mapping, alternating between
 * the two slots of {@link WorkerFileLayout} so that the last complete record survives a
 * write cut short. A new file is prepared under a temporary name and moved into place
 * once its first record is written, so readers never see an empty header. Not
 * thread-safe: the flusher is its only caller.
 *
 * @author Worker Exporter
 */
final class WorkerFileWriter implements AutoCloseable {

    private static final int INITIAL_CAPACITY = 4096;

    private final Path path;

    private final FileChannel channel;

    private MappedByteBuffer buffer;

    private long generation;

    private int newest = 1;

    private final int[] offsets = new int[2];

    private final int[] capacities = new int[2];

    WorkerFileWriter(Path path, WorkerRecord first) throws IOException {
        this.path = path;
        Path temporary = path.resolveSibling(path.getFileName() + ".tmp");
        this.channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        int capacity = capacityFor(WorkerFileLayout.body(first).length);
        this.offsets[0] = WorkerFileLayout.HEADER_LENGTH;
        this.offsets[1] = WorkerFileLayout.HEADER_LENGTH + capacity;
        this.capacities[0] = capacity;
        this.capacities[1] = capacity;
        this.buffer = map(WorkerFileLayout.HEADER_LENGTH + 2L * capacity);
        this.buffer.putInt(0, WorkerFileLayout.MAGIC);
        this.buffer.putInt(4, WorkerFileLayout.VERSION);
        write(first);
        Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    Path path() {
        return this.path;
    }

    /**
     * Write a record into the older slot: its body first (moved past the end of the file
     * when it does not fit), then the slot's fields.
     */
    void write(WorkerRecord record) throws IOException {
        byte[] body = WorkerFileLayout.body(record);
        int slot = 1 - this.newest;
        if (body.length > this.capacities[slot]) {
            long end = this.buffer.capacity();
            int capacity = capacityFor(body.length);
            if (end + capacity > Integer.MAX_VALUE) {
                throw new IOException("a record of " + body.length + " bytes does not fit in a worker file");
            }
            this.buffer = map(end + capacity);
            this.offsets[slot] = (int) end;
            this.capacities[slot] = capacity;
        }
        this.buffer.put(this.offsets[slot], body);
        // The body before the slot that points to it: a reader that sees the new slot
        // sees its body.
        VarHandle.storeStoreFence();
        this.buffer.put(WorkerFileLayout.slotOffset(slot),
                WorkerFileLayout.slot(++this.generation, record, this.offsets[slot], body));
        this.newest = slot;
    }

    private MappedByteBuffer map(long capacity) throws IOException {
        if (this.channel.size() < capacity) {
            // Grow only: a reader's shorter view stays valid.
            this.channel.write(ByteBuffer.wrap(new byte[1]), capacity - 1);
        }
        return this.channel.map(MapMode.READ_WRITE, 0, capacity);
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
