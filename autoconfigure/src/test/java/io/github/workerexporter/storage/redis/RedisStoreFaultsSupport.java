package io.github.workerexporter.storage.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/**
 * Faults of a real {@code redis-server} that a test owns ({@link RedisServerSupport}),
 * for the fault tests of this package and of the end-to-end tests.
 * <ul>
 * <li>{@link #freeze(RedisServerSupport)}: the server stopped with {@code SIGSTOP}, as a
 * server stuck in a long command or on a swapping host: it accepts connections (the
 * kernel does) but answers nothing until the test sends {@code SIGCONT}, so whatever
 * happens before that happens while Redis is frozen.</li>
 * <li>{@link #oomErrors(RedisServerSupport)}: how many commands Redis refused because it
 * was full ({@code INFO errorstats}).</li>
 * </ul>
 * Signals go through {@code kill}, which needs no privilege for a process of the same
 * user, as root or not.
 *
 * @author Worker Exporter
 */
public final class RedisStoreFaultsSupport {

    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private RedisStoreFaultsSupport() {
    }

    /**
     * Freeze the server until the returned handle is closed.
     * @param server a server the test owns, running
     * @return the handle, which resumes the server on {@link Frozen#close()}
     */
    public static Frozen freeze(RedisServerSupport server) {
        return freeze(pid(server));
    }

    /**
     * Freeze any process of this user (a worker JVM, a writer) until the returned handle
     * is closed.
     * @param pid the process id
     * @return the handle, which resumes the process on {@link Frozen#close()}
     */
    public static Frozen freeze(long pid) {
        Frozen frozen = new Frozen(pid);
        signal("STOP", pid);
        try {
            await("process " + pid + " to stop").atMost(DEADLINE)
                .pollInterval(Duration.ofMillis(10))
                .until(frozen::stillFrozen);
        }
        catch (ConditionTimeoutException ex) {
            frozen.close();
            throw ex;
        }
        return frozen;
    }

    /**
     * How many commands the server refused with {@code OOM} since it started.
     * @param server the server
     * @return the count
     */
    public static long oomErrors(RedisServerSupport server) {
        // errorstat_OOM:count=3
        return server.run((redis) -> redis.info("errorstats"))
            .lines()
            .filter((line) -> line.startsWith("errorstat_OOM:"))
            .mapToLong((line) -> Long.parseLong(line.replaceAll(".*count=(\\d+).*", "$1")))
            .sum();
    }

    /**
     * Wait until the server refused at least so many commands with {@code OOM}.
     * @param server the server
     * @param count the count
     */
    public static void awaitOomErrors(RedisServerSupport server, long count) {
        await("Redis to refuse " + count + " commands with OOM").atMost(DEADLINE)
            .pollInterval(Duration.ofMillis(50))
            .until(() -> oomErrors(server) >= count);
    }

    private static long pid(RedisServerSupport server) {
        return server.run((redis) -> redis.info("server"))
            .lines()
            .filter((line) -> line.startsWith("process_id:"))
            .mapToLong((line) -> Long.parseLong(line.substring("process_id:".length()).trim()))
            .findFirst()
            .orElseThrow();
    }

    private static void signal(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * A {@code redis-server} stopped with {@code SIGSTOP}; {@link #close()} sends
     * {@code SIGCONT}.
     */
    public static final class Frozen implements AutoCloseable {

        private final long pid;

        private Frozen(long pid) {
            this.pid = pid;
        }

        /**
         * Whether the process is still stopped: its state in {@code /proc} is {@code T},
         * or, without {@code /proc}, {@code ps} says so.
         * @return whether Redis is still frozen
         */
        public boolean stillFrozen() {
            Path stat = Path.of("/proc", Long.toString(this.pid), "stat");
            try {
                if (Files.exists(stat)) {
                    String text = Files.readString(stat);
                    // pid (comm) state ...
                    return text.substring(text.lastIndexOf(')') + 2).startsWith("T");
                }
                Process ps = new ProcessBuilder("ps", "-o", "stat=", "-p", Long.toString(this.pid)).start();
                String state = new String(ps.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                ps.waitFor(10, TimeUnit.SECONDS);
                return state.startsWith("T");
            }
            catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }

        /**
         * Resume the server.
         */
        @Override
        public void close() {
            signal("CONT", this.pid);
        }

    }

}
