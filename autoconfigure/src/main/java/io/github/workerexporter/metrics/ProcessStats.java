package io.github.workerexporter.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resource usage of this JVM, read when asked (at scrape time), never cached between
 * scrapes.
 * <ul>
 * <li>Memory: the resident set size ({@code VmRSS} of {@code /proc/self/status}) on
 * Linux; elsewhere the committed heap and non-heap memory.</li>
 * <li>CPU: process CPU time over wall time between two calls, in percent of one CPU (as
 * psutil's {@code cpu_percent}, so above 100 on several busy cores). The first call
 * measures since the JVM started instead of returning 0.</li>
 * <li>Uptime: the wall-clock time from the JVM's start to the creation of these stats,
 * then the monotonic clock, so a wall clock set back or forward after start never makes
 * it negative or jump.</li>
 * </ul>
 *
 * @author Worker Exporter
 */
public class ProcessStats {

    private static final Logger logger = LoggerFactory.getLogger(ProcessStats.class);

    private static final Path STATUS = Path.of("/proc/self/status");

    private final long startedNanos;

    private final LongSupplier nanoTime;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    private final com.sun.management.@Nullable OperatingSystemMXBean os;

    private final boolean procStatus = Files.isReadable(STATUS);

    private long lastCpuNanos = -1;

    private long lastWallNanos;

    private double lastPercent;

    /**
     * Create stats for the current JVM.
     * @param startTime when this JVM started
     */
    public ProcessStats(Instant startTime) {
        this(startTime, Clock.systemUTC(), System::nanoTime);
    }

    /**
     * Create stats for the current JVM on the given clocks.
     * @param startTime when this JVM started
     * @param clock the wall clock, read once to measure the time since the start
     * @param nanoTime a monotonic clock in nanoseconds, such as {@link System#nanoTime()}
     */
    public ProcessStats(Instant startTime, Clock clock, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        long sinceStart = Math.max(0, Duration.between(startTime, clock.instant()).toNanos());
        this.startedNanos = nanoTime.getAsLong() - sinceStart;
        OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
        this.os = (bean instanceof com.sun.management.OperatingSystemMXBean sun) ? sun : null;
    }

    /**
     * Memory used by this JVM.
     * @return the resident set size, or the committed JVM memory where it is unknown
     */
    public long memoryBytes() {
        if (this.procStatus) {
            try {
                List<String> lines = Files.readAllLines(STATUS);
                for (String line : lines) {
                    if (line.startsWith("VmRSS:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            }
            catch (IOException | NumberFormatException ex) {
                logger.debug("Cannot read VmRSS from {}: {}", STATUS, ex.toString());
            }
        }
        return this.memory.getHeapMemoryUsage().getCommitted() + this.memory.getNonHeapMemoryUsage().getCommitted();
    }

    /**
     * CPU used by this JVM since the previous call (the first: since the JVM started).
     * @return percent of one CPU, or NaN where the JVM cannot tell its CPU time
     */
    public synchronized double cpuPercent() {
        long cpu = (this.os != null) ? this.os.getProcessCpuTime() : -1;
        if (cpu < 0) {
            return Double.NaN;
        }
        long wallNow = this.nanoTime.getAsLong();
        long cpuDelta;
        long wallDelta;
        if (this.lastCpuNanos < 0) {
            cpuDelta = cpu;
            wallDelta = wallNow - this.startedNanos;
        }
        else {
            cpuDelta = cpu - this.lastCpuNanos;
            wallDelta = wallNow - this.lastWallNanos;
        }
        if (wallDelta > 0) {
            this.lastPercent = 100.0 * cpuDelta / wallDelta;
            this.lastCpuNanos = cpu;
            this.lastWallNanos = wallNow;
        }
        return this.lastPercent;
    }

    /**
     * How long this JVM has run.
     * @return seconds since start
     */
    public double uptimeSeconds() {
        return (this.nanoTime.getAsLong() - this.startedNanos) / 1_000_000 / 1000.0;
    }

}
