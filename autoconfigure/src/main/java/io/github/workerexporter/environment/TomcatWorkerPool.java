package io.github.workerexporter.environment;

import org.apache.coyote.AbstractProtocol;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;

/**
 * The request threads of a running Tomcat: the maximum threads of its connector's
 * executor.
 *
 * @author Worker Exporter
 */
final class TomcatWorkerPool implements WorkerPool {

    private final AbstractProtocol<?> protocol;

    private TomcatWorkerPool(AbstractProtocol<?> protocol) {
        this.protocol = protocol;
    }

    static @Nullable WorkerPool of(WebServer webServer) {
        if (webServer instanceof TomcatWebServer tomcat
                && tomcat.getTomcat().getConnector().getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
            return new TomcatWorkerPool(protocol);
        }
        return null;
    }

    @Override
    public synchronized int adjust(int delta) {
        int current = maximum();
        if (current < 0) {
            throw new IllegalStateException("Tomcat runs requests on virtual threads, which have no maximum to adjust");
        }
        int target = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (long) current + delta));
        if (target < this.protocol.getMinSpareThreads()) {
            this.protocol.setMinSpareThreads(target);
        }
        this.protocol.setMaxThreads(target);
        return target;
    }

    @Override
    public int maximum() {
        return this.protocol.getMaxThreads();
    }

}
