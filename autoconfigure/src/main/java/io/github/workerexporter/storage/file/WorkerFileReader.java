package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.storage.StoreException;
import io.github.workerexporter.storage.WorkerRecord;

/**
 * Reads one worker's file written by {@link WorkerFileWriter}, following the seqlock of
 * {@link WorkerFileLayout}. Reads go through positional {@link FileChannel} reads rather
 * than a mapping, so a file truncated by something else cannot fault the JVM: it is
 * reported as corrupt.
 *
 * @author Worker Exporter
 */
final class WorkerFileReader {

    private static final int ATTEMPTS = 1000;

    private WorkerFileReader() {
    }

    /**
     * Read a consistent record.
     * @param path the file
     * @return the record, or {@code null} when the writer kept it busy for every attempt;
     * a writer that died mid-write leaves its last whole record, read without the seqlock
     * @throws StoreException when the file is foreign, truncated or corrupt
     * @throws IOException when the file cannot be read
     */
    static @Nullable WorkerRecord read(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(WorkerFileLayout.HEADER_LENGTH);
            ByteBuffer sequence = ByteBuffer.allocate(8);
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                readFully(channel, header.clear(), 0);
                if (header.getInt(0) != WorkerFileLayout.MAGIC || header.getInt(4) != WorkerFileLayout.VERSION) {
                    throw new StoreException("not a worker file of layout version " + WorkerFileLayout.VERSION);
                }
                long before = header.getLong(WorkerFileLayout.SEQUENCE);
                int length = header.getInt(WorkerFileLayout.BODY_LENGTH);
                if ((before & 1) != 0) {
                    Thread.onSpinWait();
                    continue;
                }
                checkLength(length);
                if (WorkerFileLayout.HEADER_LENGTH + (long) length > channel.size()) {
                    // The writer grows the file before it writes a longer body.
                    throw new StoreException("truncated: body of " + length + " bytes past the end");
                }
                ByteBuffer body = ByteBuffer.allocate(length);
                readFully(channel, body, WorkerFileLayout.HEADER_LENGTH);
                readFully(channel, sequence.clear(), WorkerFileLayout.SEQUENCE);
                if (sequence.getLong(0) != before) {
                    Thread.onSpinWait();
                    continue;
                }
                checkCrc(body.array(), header.getInt(WorkerFileLayout.BODY_CRC));
                return WorkerFileLayout.record(header, body.flip());
            }
            if (diedMidWrite(header)) {
                return readUnlocked(channel, header);
            }
            return null;
        }
    }

    /**
     * A writer killed ({@code kill -9}) between its two sequence stores leaves the
     * sequence odd for ever; its process id, the same in every write of one life, tells.
     */
    private static boolean diedMidWrite(ByteBuffer header) {
        long pid = header.getLong(WorkerFileLayout.PID);
        return (header.getLong(WorkerFileLayout.SEQUENCE) & 1) != 0
                && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * The record a dead writer left, without the seqlock: whole when it died before or
     * after writing the body, which the CRC checks.
     */
    private static WorkerRecord readUnlocked(FileChannel channel, ByteBuffer header) throws IOException {
        int length = header.getInt(WorkerFileLayout.BODY_LENGTH);
        checkLength(length);
        if (WorkerFileLayout.HEADER_LENGTH + (long) length > channel.size()) {
            throw new StoreException("left mid-write by a writer that died: body of " + length + " bytes");
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(channel, body, WorkerFileLayout.HEADER_LENGTH);
        try {
            checkCrc(body.array(), header.getInt(WorkerFileLayout.BODY_CRC));
        }
        catch (StoreException ex) {
            throw new StoreException("left mid-write by a writer that died: " + ex.getMessage());
        }
        return WorkerFileLayout.record(header, body.flip());
    }

    /**
     * A hostile header must not make the reader allocate more than a writer writes.
     */
    private static void checkLength(int length) {
        if (length < 0 || length > WorkerFileLayout.MAX_BODY_LENGTH) {
            throw new StoreException("body length " + length + " is outside 0 to " + WorkerFileLayout.MAX_BODY_LENGTH);
        }
    }

    private static void checkCrc(byte[] body, int expected) {
        CRC32 crc = new CRC32();
        crc.update(body);
        if ((int) crc.getValue() != expected) {
            throw new StoreException("checksum mismatch");
        }
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
