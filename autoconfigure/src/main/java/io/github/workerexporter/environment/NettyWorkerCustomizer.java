package io.github.workerexporter.environment;

import io.netty.channel.ChannelOption;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Applies the gunicorn settings to Reactor Netty: {@code timeout} as the connection
 * timeout, {@code keepalive} as the idle timeout and {@code bind} as address and port.
 * Netty serves requests on its event loops, so {@code workers} and the worker class are
 * not applied.
 *
 * @author Worker Exporter
 */
public class NettyWorkerCustomizer implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

    private final EnvironmentManager manager;

    /**
     * Create a customizer.
     * @param manager the environment manager
     */
    public NettyWorkerCustomizer(EnvironmentManager manager) {
        this.manager = manager;
    }

    @Override
    public void customize(NettyReactiveWebServerFactory factory) {
        WorkerSettings settings = this.manager.getSettings();
        this.manager.serverType("netty");
        this.manager.applyBind(factory);
        this.manager.notApplied("workers", settings.workers(), "netty serves requests on its event loops");
        this.manager.notApplied("worker-class", settings.workerClass(), "netty serves requests on its event loops");
        this.manager.apply("timeout", "server.netty.connection-timeout", settings.timeout(),
                (timeout) -> factory.addServerCustomizers((server) -> server
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, EnvironmentManager.millis(timeout))));
        this.manager.apply("keepalive", "server.netty.idle-timeout", settings.keepalive(),
                (keepalive) -> factory.addServerCustomizers((server) -> server.idleTimeout(keepalive)));
    }

    @Override
    public int getOrder() {
        return EnvironmentManager.CUSTOMIZER_ORDER;
    }

}
