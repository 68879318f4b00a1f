package io.github.workerexporter.server;

import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of the metrics server, within its {@link MetricsServerLimits}. The JDK's
 * HTTP server hands each exchange (read the request, run the handler, write the response)
 * to this executor once the first bytes of a request arrive; a client that sends half a
 * request, or never reads a large response, holds the thread in a blocking socket call.
 * client_java's {@code HTTPServer}, which the {@link MetricsServerManager} does without,
 * runs exchanges on 10 threads with a hand-off that makes the server's dispatcher thread
 * wait for a free one: ten stalled clients stop the whole port, which accepts no
 * connection until the JDK's request and response timeouts close them (JVM-wide system
 * properties that client_java sets, unless set, to 60 and 600 seconds). Here:
 * <ul>
 * <li>at most {@code threads} exchanges run and {@code queueCapacity} more wait; past
 * that the JDK server closes the new connection at once, so its dispatcher never
 * waits;</li>
 * <li>a watchdog interrupts an exchange that spent more than {@code networkTimeout} on
 * the network, which closes its socket channel and frees the thread. The time the
 * {@link MetricsServerHandler} spends collecting and formatting (from
 * {@link #startProcessing()} to {@link #endProcessing()}) does not count and is never
 * interrupted, so a slow store never sees an interrupt.</li>
 * </ul>
 *
 * @author Worker Exporter
 */
final class MetricsServerExecutor extends ThreadPoolExecutor {

    private static final Logger logger = LoggerFactory.getLogger(MetricsServerExecutor.class);

    private static final AtomicInteger servers = new AtomicInteger();

    private final long timeoutNanos;

    private final ThreadLocal<@Nullable Exchange> current = new ThreadLocal<>();

    private final Set<Exchange> running = ConcurrentHashMap.newKeySet();

    private final ScheduledExecutorService watchdog;

    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * Create an executor and start its watchdog.
     * @param limits the limits
     */
    MetricsServerExecutor(MetricsServerLimits limits) {
        this(limits, servers.incrementAndGet());
    }

    private MetricsServerExecutor(MetricsServerLimits limits, int server) {
        super(limits.threads(), limits.threads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(limits.queueCapacity()), daemon("metrics-server-" + server + "-"),
                new AbortPolicy());
        allowCoreThreadTimeOut(true);
        this.timeoutNanos = limits.networkTimeout().toNanos();
        this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("metrics-server-" + server + "-watchdog-"));
        long period = Math.max(10, Math.min(1000, limits.networkTimeout().toMillis() / 4));
        this.watchdog.scheduleWithFixedDelay(this::interruptOverdue, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * The exchange on this thread begins to collect and format its response: until
     * {@link #endProcessing()}, its time is not network time and it is not interrupted.
     * @throws NetworkTimeoutException if the exchange was interrupted already: it must
     * not collect
     */
    void startProcessing() {
        Exchange exchange = this.current.get();
        if (exchange != null) {
            exchange.startProcessing();
        }
    }

    /**
     * The exchange on this thread is back on the network, writing its response.
     */
    void endProcessing() {
        Exchange exchange = this.current.get();
        if (exchange != null) {
            exchange.endProcessing();
        }
    }

    @Override
    protected void beforeExecute(Thread thread, Runnable task) {
        Exchange exchange = new Exchange(thread);
        this.current.set(exchange);
        this.running.add(exchange);
    }

    @Override
    protected void afterExecute(Runnable task, @Nullable Throwable failure) {
        Exchange exchange = this.current.get();
        this.current.remove();
        if (exchange != null) {
            this.running.remove(exchange);
            exchange.end();
        }
        // An interrupt meant for this exchange must not reach the next one.
        Thread.interrupted();
    }

    @Override
    protected void terminated() {
        this.watchdog.shutdownNow();
    }

    private void interruptOverdue() {
        long now = System.nanoTime();
        for (Exchange exchange : this.running) {
            if (exchange.interruptIfOverdue(now)) {
                String message = "Metrics server closed a connection that spent more than {} ms reading its request "
                        + "or writing its response: a client too slow, stalled or hostile";
                if (this.warned.compareAndSet(false, true)) {
                    logger.warn(message, TimeUnit.NANOSECONDS.toMillis(this.timeoutNanos));
                }
                else {
                    logger.debug(message, TimeUnit.NANOSECONDS.toMillis(this.timeoutNanos));
                }
            }
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return (runnable) -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * One exchange on one thread: its network time so far, and whether it is processing.
     */
    private final class Exchange {

        private final Thread thread;

        private long networkSince = System.nanoTime();

        private long networkBefore;

        private boolean processing;

        private boolean interrupted;

        private boolean ended;

        Exchange(Thread thread) {
            this.thread = thread;
        }

        synchronized boolean interruptIfOverdue(long now) {
            if (this.ended || this.processing || this.interrupted
                    || this.networkBefore + (now - this.networkSince) < MetricsServerExecutor.this.timeoutNanos) {
                return false;
            }
            this.interrupted = true;
            this.thread.interrupt();
            return true;
        }

        synchronized void startProcessing() {
            if (this.interrupted) {
                // Interrupted between reading the request and processing it.
                throw new NetworkTimeoutException();
            }
            if (!this.processing) {
                this.networkBefore += System.nanoTime() - this.networkSince;
                this.processing = true;
            }
        }

        synchronized void endProcessing() {
            if (this.processing) {
                this.processing = false;
                this.networkSince = System.nanoTime();
            }
        }

        synchronized void end() {
            this.ended = true;
        }

    }

    /**
     * The network timeout of an exchange passed before it began processing: it does not
     * collect.
     */
    static final class NetworkTimeoutException extends RuntimeException {

        NetworkTimeoutException() {
            super("Network timeout of the metrics exchange", null, false, false);
        }

    }

}
