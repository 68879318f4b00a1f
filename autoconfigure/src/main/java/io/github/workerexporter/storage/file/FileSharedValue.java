package io.github.workerexporter.storage.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.workerexporter.storage.SharedValue;
import io.github.workerexporter.storage.StoreException;

/**
 * A {@link SharedValue} in a file of the shared directory, {@code <name>.value}, that the
 * sweep of {@link FileMetricStore} never touches (its names start with {@code worker-}).
 * A compare-and-set holds an exclusive lock on {@code <name>.cas} (between processes: the
 * kernel's; between threads of one JVM: a monitor per path, as a JVM cannot hold two
 * locks on one file), reads the value, and replaces it by writing a temporary file moved
 * into place atomically; a reader never sees half a value. The lock file stays; the
 * kernel releases the lock of a process that dies.
 *
 * @author Worker Exporter
 */
public final class FileSharedValue implements SharedValue {

    private static final Map<Path, Object> monitors = new ConcurrentHashMap<>();

    private final Path file;

    private final Path lock;

    private final Path temporary;

    /**
     * Create the value of a name in a directory.
     * @param directory the shared directory
     * @param name the name of the value, such as {@code fleet-remainder}
     */
    public FileSharedValue(Path directory, String name) {
        this.file = directory.resolve(name + ".value");
        this.lock = directory.resolve(name + ".cas");
        this.temporary = directory.resolve(name + ".value.tmp");
    }

    @Override
    public byte[] get() {
        try {
            return Files.readAllBytes(this.file);
        }
        catch (NoSuchFileException ex) {
            return new byte[0];
        }
        catch (IOException ex) {
            throw new StoreException("Cannot read " + this.file + " (" + ex + ")", ex);
        }
    }

    @Override
    public boolean compareAndSet(byte[] expected, byte[] next) {
        synchronized (monitors.computeIfAbsent(this.lock.toAbsolutePath().normalize(), (path) -> new Object())) {
            try {
                Files.createDirectories(this.file.getParent());
                try (FileChannel channel = FileChannel.open(this.lock, StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock held = channel.lock()) {
                    if (!Arrays.equals(get(), expected)) {
                        return false;
                    }
                    Files.write(this.temporary, next);
                    Files.move(this.temporary, this.file, StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                    return true;
                }
            }
            catch (IOException ex) {
                throw new StoreException("Cannot write " + this.file + " (" + ex + ")", ex);
            }
        }
    }

}
