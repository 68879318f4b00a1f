package io.github.workerexporter.environment;

import java.util.function.Consumer;

import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.ProtocolHandler;
import org.apache.tomcat.util.threads.VirtualThreadExecutor;

import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Applies the gunicorn settings to Tomcat (servlet or reactive): {@code workers} as the
 * connector's maximum threads, {@code timeout} as its connection timeout,
 * {@code keepalive} as its keep-alive timeout, {@code bind} as address and port, and
 * worker class {@code virtual} as an executor of virtual threads.
 *
 * @author Worker Exporter
 */
public class TomcatWorkerCustomizer implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {

    private final EnvironmentManager manager;

    /**
     * Create a customizer.
     * @param manager the environment manager
     */
    public TomcatWorkerCustomizer(EnvironmentManager manager) {
        this.manager = manager;
    }

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        WorkerSettings settings = this.manager.getSettings();
        this.manager.serverType("tomcat");
        this.manager.applyBind(factory);
        if (this.manager.useVirtualThreads()) {
            factory
                .addProtocolHandlerCustomizers((TomcatProtocolHandlerCustomizer<ProtocolHandler>) (handler) -> handler
                    .setExecutor(new VirtualThreadExecutor("tomcat-handler-")));
            this.manager.notApplied("workers", settings.workers(), "virtual threads are not pooled");
        }
        else {
            this.manager.apply("workers", "server.tomcat.threads.max", settings.workers(),
                    (max) -> customizeProtocol(factory, (protocol) -> protocol.setMaxThreads(max)));
        }
        this.manager.apply("timeout", "server.tomcat.connection-timeout", settings.timeout(),
                (timeout) -> customizeProtocol(factory,
                        (protocol) -> protocol.setConnectionTimeout(EnvironmentManager.millis(timeout))));
        this.manager.apply("keepalive", "server.tomcat.keep-alive-timeout", settings.keepalive(),
                (keepalive) -> customizeProtocol(factory,
                        (protocol) -> protocol.setKeepAliveTimeout(EnvironmentManager.millis(keepalive))));
    }

    private static void customizeProtocol(ConfigurableTomcatWebServerFactory factory,
            Consumer<AbstractProtocol<?>> action) {
        factory.addConnectorCustomizers((connector) -> {
            if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
                action.accept(protocol);
            }
        });
    }

    @Override
    public int getOrder() {
        return EnvironmentManager.CUSTOMIZER_ORDER;
    }

}
