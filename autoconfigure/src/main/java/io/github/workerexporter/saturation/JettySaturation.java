package io.github.workerexporter.saturation;

import java.net.InetAddress;
import java.net.UnknownHostException;

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
 * waiting is the pool's job queue. Connections are the end points open on the connectors;
 * their maximum is the {@link NetworkConnectionLimit}
 * ({@code server.jetty.max-connections}) when there is one. A pool of virtual threads
 * (Jetty's {@code VirtualThreadPool}, or a queued pool that runs jobs on virtual threads)
 * gives no thread or queue series.
 *
 * @author Worker Exporter
 */
final class JettySaturation implements ServerSaturation {

    /**
     * The backlog that the JDK asks for when Jetty's accept queue size is 0.
     */
    private static final int JDK_DEFAULT_BACKLOG = 50;

    private final Server server;

    private final @Nullable ListenSocket socket;

    private JettySaturation(Server server) {
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
            return new ServerReading(pool.getUtilizedThreads(), pool.getMaxAvailableThreads(), pool.getQueueSize(),
                    connections, connectionsMax);
        }
        return new ServerReading(ServerReading.NONE, ServerReading.NONE, ServerReading.NONE, connections,
                connectionsMax);
    }

    @Override
    public @Nullable ListenSocket listenSocket() {
        return this.socket;
    }

}
