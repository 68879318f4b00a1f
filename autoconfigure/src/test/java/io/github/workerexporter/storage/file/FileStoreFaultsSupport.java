package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Real faults of a shared directory for the fault tests, here and in the end-to-end
 * package: who this process is (root ignores permission bits), a small tmpfs when this
 * process may mount one, a file system filled to the last byte, and the files a hostile
 * or careless neighbour leaves in the directory.
 *
 * @author Worker Exporter
 */
public final class FileStoreFaultsSupport {

    private FileStoreFaultsSupport() {
    }

    /**
     * Whether this process runs as root, which ignores permission bits.
     * @return whether the effective user id is 0
     */
    public static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Run a command and wait for it.
     * @param command the command
     * @return its exit code and output
     */
    public static Result run(String... command) {
        return run(List.of(command));
    }

    /**
     * Run a command and wait for it.
     * @param command the command
     * @return its exit code and output
     */
    public static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, output + " (timed out)");
            }
            return new Result(process.exitValue(), output);
        }
        catch (IOException ex) {
            return new Result(-1, ex.toString());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Mount a tmpfs of the given size, if this process may.
     * @param at an empty directory
     * @param bytes its size
     * @return the mount, or empty when mounting is not permitted here
     */
    public static Optional<Tmpfs> mountTmpfs(Path at, long bytes) {
        try {
            Files.createDirectories(at);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Result mount = run("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0755", "tmpfs", at.toString());
        return (mount.exitCode() == 0) ? Optional.of(new Tmpfs(at)) : Optional.empty();
    }

    /**
     * Write zeros to a new file until the file system is full.
     * @param file the filler
     * @return how many bytes it took
     */
    public static long fill(Path file) {
        long written = 0;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(512);
            while (true) {
                written += channel.write(zeros.clear());
            }
        }
        catch (IOException ex) {
            if (!String.valueOf(ex.getMessage()).contains("No space left")) {
                throw new UncheckedIOException(ex);
            }
        }
        return written;
    }

    /**
     * A file of the original Python exporter's format (prometheus_client's
     * {@code mmap_dict}: a little-endian used size, then entries of a key length, a JSON
     * key padded to 8 bytes, a value and a timestamp).
     * @param keys the JSON keys, such as {@code ["gunicorn_worker_requests",
     * "gunicorn_worker_requests_total", {}, "help"]}
     * @return the bytes of the file
     */
    public static byte[] pythonMmapFile(String... keys) {
        ByteBuffer buffer = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(8);
        for (String key : keys) {
            byte[] encoded = key.getBytes(StandardCharsets.UTF_8);
            buffer.putInt(encoded.length).put(encoded);
            while ((buffer.position() % 8) != 0) {
                buffer.put((byte) ' ');
            }
            buffer.putDouble(42.0).putDouble(0.0);
        }
        buffer.putInt(0, buffer.position());
        return buffer.array();
    }

    /**
     * A file of this exporter's layout whose first slot and its CRCs are valid, for
     * hostile files that pass the first checks: the slot claims a body of
     * {@code bodyLength} bytes right after the header, with the CRC of {@code body}.
     * @param body the body written after the header
     * @param bodyLength the length the slot claims
     * @return the header followed by the body
     */
    public static byte[] workerFile(byte[] body, int bodyLength) {
        ByteBuffer slot = ByteBuffer.allocate(WorkerFileLayout.SLOT_LENGTH)
            .putLong(1)
            .putLong(1)
            .putLong(1000)
            .putLong(System.currentTimeMillis())
            .putInt(WorkerFileLayout.HEADER_LENGTH)
            .putInt(bodyLength)
            .putInt(WorkerFileLayout.crc(body, body.length));
        slot.putInt(WorkerFileLayout.crc(slot.array(), WorkerFileLayout.SLOT_LENGTH - 4));
        ByteBuffer file = ByteBuffer.allocate(WorkerFileLayout.HEADER_LENGTH + body.length);
        file.putInt(WorkerFileLayout.MAGIC).putInt(WorkerFileLayout.VERSION).put(slot.array());
        file.position(WorkerFileLayout.HEADER_LENGTH);
        file.put(body);
        return file.array();
    }

    /**
     * The exit code and output of a command.
     *
     * @param exitCode the exit code, -1 when it could not run
     * @param output its standard output and error
     */
    public record Result(int exitCode, String output) {

    }

    /**
     * A mounted tmpfs, lazily unmounted on close.
     *
     * @param path its mount point
     */
    public record Tmpfs(Path path) implements AutoCloseable {

        @Override
        public void close() {
            run("umount", "-l", this.path.toString());
        }

    }

}
