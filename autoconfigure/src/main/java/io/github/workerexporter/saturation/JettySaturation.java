package io.github.workerexporter.saturation;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.BlockingQueue;

import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.WebServer;

/**
 * A running Jetty's saturation. Its {@link QueuedThreadPool} also runs the acceptor and
 * selector threads it leases to the connectors, so the request threads are the others:
 * busy is {@code getUtilizedThreads()} (threads running a job that is not leased) and the
 * maximum {@code getMaxAvailableThreads()} (the pool's maximum less the leased threads);
 * waiting is the pool's job queue less the jobs that start a reserved thread. Connections
 * are the end points open on the connectors; their maximum is the
 * {@link NetworkConnectionLimit} ({@code server.jetty.max-connections}) when there is
 * one. A pool of virtual threads (Jetty's {@code VirtualThreadPool}, or a queued pool
 * that runs jobs on virtual threads) gives no thread or queue series.
 *
 * @author Worker Exporter
 */
final class JettySaturation implements ServerSaturation {

    /**
     * The backlog that the JDK asks for when Jetty's accept queue size is 0.
     */
    private static final int JDK_DEFAULT_BACKLOG = 50;

    /**
     * The class of the job that starts a reserved thread.
     */
    private static final String RESERVED_THREAD = "org.eclipse.jetty.util.thread.ReservedThreadExecutor$ReservedThread";

    /**
     * {@code QueuedThreadPool.getQueue()}, or {@code null} where it cannot be called.
     */
    private static final @Nullable MethodHandle QUEUE = queue();

    private final Server server;

    private final @Nullable ListenSocket socket;

    JettySaturation(Server server) {
        this.server = server;
        this.socket = listenSocket(server);
    }

    static @Nullable ServerSaturation of(WebServer webServer) {
        return (webServer instanceof JettyWebServer jetty) ? new JettySaturation(jetty.getServer()) : null;
    }

    private static @Nullable ListenSocket listenSocket(Server server) {
        for (Connector connector : server.getConnectors()) {
            if (connector instanceof ServerConnector network && network.getLocalPort() > 0) {
                int backlog = network.getAcceptQueueSize();
                return new ListenSocket(network.getLocalPort(), address(network.getHost()),
                        (backlog > 0) ? backlog : JDK_DEFAULT_BACKLOG);
            }
        }
        return null;
    }

    private static @Nullable InetAddress address(@Nullable String host) {
        try {
            return (host != null) ? InetAddress.getByName(host) : null;
        }
        catch (UnknownHostException ex) {
            return null;
        }
    }

    @Override
    public ServerReading read() {
        long connections = 0;
        for (Connector connector : this.server.getConnectors()) {
            if (connector instanceof AbstractConnector abstractConnector) {
                connections += abstractConnector.getConnectedEndPoints().size();
            }
        }
        NetworkConnectionLimit limit = this.server.getBean(NetworkConnectionLimit.class);
        long connectionsMax = (limit != null) ? limit.getMaxNetworkConnectionCount() : ServerReading.NONE;
        if (this.server.getThreadPool() instanceof QueuedThreadPool pool && pool.getVirtualThreadsExecutor() == null) {
            return new ServerReading(pool.getUtilizedThreads(), pool.getMaxAvailableThreads(), waitingRequests(pool),
                    connections, connectionsMax);
        }
        return new ServerReading(ServerReading.NONE, ServerReading.NONE, ServerReading.NONE, connections,
                connectionsMax);
    }

    /**
     * The jobs queued on the pool less those that start a reserved thread. When every
     * thread is busy, the pool's {@code ReservedThreadExecutor} queues a job to start one
     * (its own count of such jobs, {@code getPending()}, is always 0 in Jetty 12), and
     * that job is no request: counted, it made a saturated pool report one request more
     * than were sent. The queue is the pool's protected {@code getQueue()}, which Jetty
     * offers no public view of; where it cannot be read (a module that does not open
     * Jetty to us), the queue's size is the reading.
     * @param pool the pool
     * @return the requests waiting for a thread
     */
    private static long waitingRequests(QueuedThreadPool pool) {
        if (QUEUE == null) {
            return pool.getQueueSize();
        }
        try {
            long waiting = 0;
            for (Object job : (BlockingQueue<?>) QUEUE.invoke(pool)) {
                if (!job.getClass().getName().equals(RESERVED_THREAD)) {
                    waiting++;
                }
            }
            return waiting;
        }
        catch (Throwable ex) {
            return pool.getQueueSize();
        }
    }

    private static @Nullable MethodHandle queue() {
        try {
            return MethodHandles.privateLookupIn(QueuedThreadPool.class, MethodHandles.lookup())
                .findVirtual(QueuedThreadPool.class, "getQueue", MethodType.methodType(BlockingQueue.class));
        }
        catch (ReflectiveOperationException | RuntimeException ex) {
            return null;
        }
    }

    @Override
    public @Nullable ListenSocket listenSocket() {
        return this.socket;
    }

}
