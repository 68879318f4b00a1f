package io.github.workerexporter.saturation;

import java.util.concurrent.Executor;

import org.apache.coyote.AbstractProtocol;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;

/**
 * A running Tomcat's saturation: its connector's executor (active threads, maximum,
 * queue) and connections (the connection count and {@code maxConnections}, unlimited when
 * {@code -1}). An executor of virtual threads is no pool and gives no thread or queue
 * series.
 *
 * @author Worker Exporter
 */
final class TomcatSaturation implements ServerSaturation {

    private final AbstractProtocol<?> protocol;

    private final ListenSocket socket;

    private TomcatSaturation(AbstractProtocol<?> protocol) {
        this.protocol = protocol;
        this.socket = new ListenSocket(protocol.getLocalPort(), protocol.getAddress(), protocol.getAcceptCount());
    }

    static @Nullable ServerSaturation of(WebServer webServer) {
        if (webServer instanceof TomcatWebServer tomcat
                && tomcat.getTomcat().getConnector().getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
            return new TomcatSaturation(protocol);
        }
        return null;
    }

    @Override
    public ServerReading read() {
        long connections = Math.max(ServerReading.NONE, this.protocol.getConnectionCount());
        long connectionsMax = Math.max(ServerReading.NONE, this.protocol.getMaxConnections());
        Executor executor = this.protocol.getExecutor();
        if (executor instanceof ThreadPoolExecutor pool) {
            return new ServerReading(pool.getActiveCount(), pool.getMaximumPoolSize(), pool.getQueue().size(),
                    connections, connectionsMax);
        }
        if (executor instanceof java.util.concurrent.ThreadPoolExecutor pool) {
            return new ServerReading(pool.getActiveCount(), pool.getMaximumPoolSize(), pool.getQueue().size(),
                    connections, connectionsMax);
        }
        return new ServerReading(ServerReading.NONE, ServerReading.NONE, ServerReading.NONE, connections,
                connectionsMax);
    }

    @Override
    public ListenSocket listenSocket() {
        return this.socket;
    }

}
