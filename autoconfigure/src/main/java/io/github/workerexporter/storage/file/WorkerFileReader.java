package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;
import io.github.workerexporter.storage.file.WorkerFileLayout.Slot;

/**
 * Reads workers' files written by {@link WorkerFileWriter}: of each, the record of the
 * newest slot of {@link WorkerFileLayout} whose CRCs match. Reads go through positional
 * {@link FileChannel} reads rather than a mapping, so a file truncated by something else
 * cannot fault the JVM: it is reported as corrupt.
 * <p>
 * A reader reads each file into its own buffers, which its next read reuses: the metrics
 * of the record it answers view its body buffer ({@link WorkerRecord}'s range) until it
 * reads the next file. Each thread has one reader that it lends to one read of the store
 * at a time ({@link #ofThisThread()}); a read that starts while it is lent (a nested read
 * on the same thread) gets a reader of its own.
 *
 * @author Worker Exporter
 */
final class WorkerFileReader implements AutoCloseable {

    private static final int ATTEMPTS = 1000;

    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ);

    private static final int KEPT_BODY = 1 << 20;

    private static final ThreadLocal<@Nullable WorkerFileReader> OF_THREAD = new ThreadLocal<>();

    private final ByteBuffer header = ByteBuffer.allocate(WorkerFileLayout.HEADER_LENGTH);

    private @Nullable ByteBuffer body;

    private boolean lent;

    private WorkerFileReader() {
    }

    /**
     * The reader of this thread, lent until {@link #close()}, or a reader of its own when
     * it is lent already.
     * @return the reader
     */
    static WorkerFileReader ofThisThread() {
        WorkerFileReader reader = OF_THREAD.get();
        if (reader == null) {
            reader = new WorkerFileReader();
            OF_THREAD.set(reader);
        }
        if (reader.lent) {
            return new WorkerFileReader();
        }
        reader.lent = true;
        return reader;
    }

    /**
     * Read the newest whole record of a file with a reader of its own: a record whose
     * metrics stay valid.
     * @param path the file
     * @return the record, or {@code null} as {@link #read(Path)}
     * @throws StoreException when the file is foreign, truncated or corrupt
     * @throws IOException when the file cannot be read
     */
    static @Nullable WorkerRecord readOnce(Path path) throws IOException {
        return new WorkerFileReader().read(path);
    }

    /**
     * Read the newest whole record into this reader's buffers: the record's metrics view
     * its body buffer until it reads the next file.
     * @param path the file
     * @return the record, or {@code null} when its writer rewrote the file under every
     * attempt to read it; a writer that died mid-write leaves its last whole record
     * @throws StoreException when the file is foreign, truncated or corrupt
     * @throws IOException when the file cannot be read
     */
    @Nullable WorkerRecord read(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, READ)) {
            ByteBuffer header = this.header;
            byte[] previous = null;
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                readFully(channel, header.clear(), 0);
                if (header.getInt(0) != WorkerFileLayout.MAGIC || header.getInt(4) != WorkerFileLayout.VERSION) {
                    throw new StoreException("not a worker file of layout version " + WorkerFileLayout.VERSION);
                }
                String problem = "no slot with a matching checksum";
                Slot zero = WorkerFileLayout.slot(header, 0);
                Slot one = WorkerFileLayout.slot(header, 1);
                boolean oneIsNewer = one != null && (zero == null || one.generation() > zero.generation());
                for (int rank = 0; rank < 2; rank++) {
                    Slot slot = ((rank == 0) == oneIsNewer) ? one : zero;
                    if (slot == null) {
                        continue;
                    }
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
                    ByteBuffer body = body(slot.bodyLength());
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
     * Give the reader of this thread back, for the next read of the store.
     */
    @Override
    public void close() {
        this.lent = false;
    }

    /**
     * The body buffer for a body of the given length, reused by the next read unless it
     * is over {@link #KEPT_BODY} bytes.
     */
    private ByteBuffer body(int length) {
        ByteBuffer body = this.body;
        if (body == null || body.capacity() < length) {
            body = ByteBuffer.allocate(length);
            if (length <= KEPT_BODY) {
                this.body = body;
            }
        }
        return body.clear().limit(length);
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
