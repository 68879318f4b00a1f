package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.WorkerFileLayout.Slot;

/**
 * Reads one worker's file written by {@link WorkerFileWriter}: the record of the newest
 * slot of {@link WorkerFileLayout} whose CRCs match. Reads go through positional
 * {@link FileChannel} reads rather than a mapping, so a file truncated by something else
 * cannot fault the JVM: it is reported as corrupt.
 *
 * @author Worker Exporter
 */
final class WorkerFileReader {

    private static final int ATTEMPTS = 1000;

    private static final int KEPT_SCRATCH = 1 << 20;

    private static final ThreadLocal<@Nullable ByteBuffer> SCRATCH = new ThreadLocal<>();

    private WorkerFileReader() {
    }

    /**
     * Read the newest whole record into a buffer of this thread, which the next read of
     * this thread reuses: the record's metrics view that buffer ({@link WorkerRecord}'s
     * range), so they are valid until this thread reads the next file.
     * @param path the file
     * @return the record, or {@code null} when its writer rewrote the file under every
     * attempt to read it; a writer that died mid-write leaves its last whole record
     * @throws StoreException when the file is foreign, truncated or corrupt
     * @throws IOException when the file cannot be read
     */
    static @Nullable WorkerRecord read(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(WorkerFileLayout.HEADER_LENGTH);
            byte[] previous = null;
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                readFully(channel, header.clear(), 0);
                if (header.getInt(0) != WorkerFileLayout.MAGIC || header.getInt(4) != WorkerFileLayout.VERSION) {
                    throw new StoreException("not a worker file of layout version " + WorkerFileLayout.VERSION);
                }
                String problem = "no slot with a matching checksum";
                for (Slot slot : slots(header)) {
                    if (slot.bodyLength() > WorkerFileLayout.MAX_BODY_LENGTH) {
                        // A hostile header must not make the reader allocate more than a
                        // writer writes.
                        problem = "body length " + slot.bodyLength() + " is over " + WorkerFileLayout.MAX_BODY_LENGTH;
                        continue;
                    }
                    if (slot.bodyLength() < 0 || slot.bodyOffset() < WorkerFileLayout.HEADER_LENGTH
                            || (long) slot.bodyOffset() + slot.bodyLength() > channel.size()) {
                        problem = "truncated: body of " + slot.bodyLength() + " bytes past the end";
                        continue;
                    }
                    ByteBuffer body = scratch(slot.bodyLength());
                    readFully(channel, body, slot.bodyOffset());
                    if (WorkerFileLayout.crc(body.array(), slot.bodyLength()) == slot.bodyCrc()) {
                        return WorkerFileLayout.record(slot, body.flip());
                    }
                    problem = "checksum mismatch";
                }
                if (Arrays.equals(header.array(), previous)) {
                    // Nothing was written since the last attempt: not a race with the
                    // writer.
                    throw new StoreException(problem);
                }
                previous = header.array().clone();
                Thread.onSpinWait();
            }
            return null;
        }
    }

    /**
     * A buffer of this thread for a body of the given length, reused by the next read
     * unless it is over {@link #KEPT_SCRATCH} bytes.
     */
    private static ByteBuffer scratch(int length) {
        ByteBuffer scratch = SCRATCH.get();
        if (scratch == null || scratch.capacity() < length) {
            scratch = ByteBuffer.allocate(length);
            if (length <= KEPT_SCRATCH) {
                SCRATCH.set(scratch);
            }
        }
        return scratch.clear().limit(length);
    }

    /**
     * The slots whose CRC matches, newest first.
     */
    private static List<Slot> slots(ByteBuffer header) {
        List<Slot> slots = new ArrayList<>(2);
        for (int index = 0; index < 2; index++) {
            Slot slot = WorkerFileLayout.slot(header, index);
            if (slot != null) {
                slots.add(slot);
            }
        }
        slots.sort(Comparator.comparingLong(Slot::generation).reversed());
        return slots;
    }

    private static void readFully(FileChannel channel, ByteBuffer target, long position) throws IOException {
        long at = position;
        while (target.hasRemaining()) {
            int read = channel.read(target, at);
            if (read < 0) {
                throw new StoreException("truncated at " + at + " bytes");
            }
            at += read;
        }
    }

}
