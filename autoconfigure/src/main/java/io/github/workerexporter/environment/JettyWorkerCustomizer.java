package io.github.workerexporter.environment;

import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.util.thread.ThreadPool.SizedThreadPool;
import org.eclipse.jetty.util.thread.VirtualThreadPool;

import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Applies the gunicorn settings to Jetty (servlet or reactive): {@code workers} as the
 * thread pool's maximum, {@code timeout} as the connectors' idle timeout, {@code bind} as
 * address and port, and worker class {@code virtual} as a pool of virtual threads.
 * <p>
 * Jetty has no keep-alive timeout of its own: an idle keep-alive connection is closed by
 * the connector idle timeout, which takes {@code timeout}, so {@code keepalive} is not
 * applied. Jetty's pool also runs the acceptor and selector threads, so a very small
 * {@code workers} can be refused by Jetty as insufficient.
 *
 * @author Worker Exporter
 */
public class JettyWorkerCustomizer implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory>, Ordered {

    private final EnvironmentManager manager;

    /**
     * Create a customizer.
     * @param manager the environment manager
     */
    public JettyWorkerCustomizer(EnvironmentManager manager) {
        this.manager = manager;
    }

    @Override
    public void customize(ConfigurableJettyWebServerFactory factory) {
        WorkerSettings settings = this.manager.getSettings();
        this.manager.serverType("jetty");
        this.manager.applyBind(factory);
        if (this.manager.useVirtualThreads()) {
            VirtualThreadPool pool = new VirtualThreadPool();
            pool.setName("jetty-");
            factory.setThreadPool(pool);
            this.manager.notApplied("workers", settings.workers(), "virtual threads are not pooled");
        }
        else {
            this.manager.apply("workers", "server.jetty.threads.max", settings.workers(),
                    (max) -> factory.addServerCustomizers((server) -> {
                        if (server.getThreadPool() instanceof SizedThreadPool pool) {
                            pool.setMaxThreads(max);
                        }
                    }));
        }
        this.manager.apply("timeout", "server.jetty.connection-idle-timeout", settings.timeout(),
                (timeout) -> factory.addServerCustomizers((server) -> {
                    for (Connector connector : server.getConnectors()) {
                        if (connector instanceof AbstractConnector abstractConnector) {
                            abstractConnector.setIdleTimeout(timeout.toMillis());
                        }
                    }
                }));
        this.manager.notApplied("keepalive", settings.keepalive(),
                "jetty closes idle keep-alive connections after the timeout");
    }

    @Override
    public int getOrder() {
        return EnvironmentManager.CUSTOMIZER_ORDER;
    }

}
