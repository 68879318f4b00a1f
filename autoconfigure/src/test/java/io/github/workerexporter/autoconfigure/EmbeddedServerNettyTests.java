package io.github.workerexporter.autoconfigure;

import java.net.InetSocketAddress;
import java.net.Socket;

import io.github.workerexporter.environment.WorkerPool;
import io.github.workerexporter.hooks.ExporterLifecycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.webflux.autoconfigure.HttpHandlerAutoConfiguration;
import org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests of the gunicorn settings on a running Reactor Netty.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedServerNettyTests {

    @Test
    void appliesTimeoutKeepaliveAndBindAndSaysWhatNettyCannotTake(CapturedOutput output) throws Exception {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=7", "exporter.gunicorn.timeout=45",
                "exporter.gunicorn.keepalive=9", "exporter.gunicorn.bind=127.0.0.1:0")) {
            WebServer server = ((WebServerApplicationContext) context).getWebServer();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5_000);
                assertThat(socket.isConnected()).isTrue();
            }
            context.getBean(ExporterLifecycle.class).webServerBound(server.getPort());
            assertThat(output).containsOnlyOnce("Worker configuration: server=netty, "
                    + "workers=7 (not applied: netty serves requests on its event loops), bind=127.0.0.1:0, "
                    + "timeout=45s, keepalive=9s, worker-class=sync (not applied: netty serves requests on its event loops)");
        }
    }

    @Test
    void workerPoolSaysNettyHasNoThreadPoolToResize() {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=7")) {
            assertThatIllegalStateException().isThrownBy(() -> context.getBean(WorkerPool.class).adjust(1))
                .withMessage("Cannot resize request threads: NettyWebServer has no pool of platform request threads "
                        + "to resize");
        }
    }

    private static ConfigurableApplicationContext run(String... properties) {
        return new SpringApplicationBuilder(NettyApplication.class).web(WebApplicationType.REACTIVE)
            .properties(EmbeddedServerTestSupport.properties(properties))
            .run();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ NettyReactiveWebServerAutoConfiguration.class, HttpHandlerAutoConfiguration.class,
            WebFluxAutoConfiguration.class, WorkerExporterAutoConfiguration.class })
    static class NettyApplication {

    }

}
