package io.github.workerexporter.sidecar;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a directory holds, recursively: the sum of its files' sizes and the number of its
 * entries (files and directories, the directory itself not counted). Files that vanish
 * during the walk, as workers' files do when they are swept, are skipped.
 *
 * @param bytes the sum of the sizes of the files
 * @param entries the number of files and directories under the directory
 * @author Worker Exporter
 */
public record DirectoryUsage(long bytes, long entries) {

    /**
     * Nothing: no directory, or Redis storage.
     */
    public static final DirectoryUsage NONE = new DirectoryUsage(0, 0);

    /**
     * Walk a directory.
     * @param directory the directory
     * @return its usage, {@link #NONE} when it does not exist or cannot be read
     */
    public static DirectoryUsage of(Path directory) {
        if (!Files.isDirectory(directory)) {
            return NONE;
        }
        Walk walk = new Walk(directory);
        try {
            Files.walkFileTree(directory, walk);
        }
        catch (IOException ex) {
            return NONE;
        }
        return new DirectoryUsage(walk.bytes, walk.entries);
    }

    private static final class Walk extends SimpleFileVisitor<Path> {

        private final Path root;

        private long bytes;

        private long entries;

        Walk(Path root) {
            this.root = root;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
            if (!dir.equals(this.root)) {
                this.entries++;
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            this.entries++;
            this.bytes += attributes.isRegularFile() ? attributes.size() : 0;
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException ex) {
            return FileVisitResult.CONTINUE;
        }

    }

}
