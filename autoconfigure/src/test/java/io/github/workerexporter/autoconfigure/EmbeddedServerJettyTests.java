package io.github.workerexporter.autoconfigure;

import java.net.InetSocketAddress;
import java.net.Socket;

import io.github.workerexporter.environment.WorkerPool;
import io.github.workerexporter.hooks.ExporterLifecycle;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of the gunicorn settings on a running Jetty.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedServerJettyTests {

    @Test
    void runningServerHasWorkersAndTimeout() {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=7", "exporter.gunicorn.timeout=45",
                "exporter.gunicorn.keepalive=9")) {
            assertThat(threadPool(context).getMaxThreads()).isEqualTo(7);
            assertThat(connector(context).getIdleTimeout()).isEqualTo(45_000);
        }
    }

    @Test
    void explicitServerPropertyWinsOverWorkers(CapturedOutput output) {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=7",
                "server.jetty.threads.max=50")) {
            assertThat(threadPool(context).getMaxThreads()).isEqualTo(50);
            assertThat(output)
                .containsOnlyOnce("server.jetty.threads.max=50 set explicitly; ignoring exporter.gunicorn.workers=7");
        }
    }

    @Test
    void listensOnTheBindAddress() throws Exception {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.bind=127.0.0.1:0")) {
            ServerConnector connector = connector(context);
            assertThat(connector.getHost()).isEqualTo("127.0.0.1");
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", connector.getLocalPort()), 5_000);
                assertThat(socket.isConnected()).isTrue();
            }
        }
    }

    @Test
    void workerPoolResizesTheRunningThreadPool() {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=7")) {
            WorkerPool pool = context.getBean(WorkerPool.class);
            assertThat(pool.adjust(+1)).isEqualTo(8);
            assertThat(threadPool(context).getMaxThreads()).isEqualTo(8);
            assertThat(pool.adjust(-2)).isEqualTo(6);
            assertThat(threadPool(context).getMaxThreads()).isEqualTo(6);
        }
    }

    @Test
    void workerPoolKeepsTheThreadsJettyLeases() {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=7")) {
            int leased = threadPool(context).getThreadPoolBudget().getLeasedThreads();
            assertThat(leased).isPositive();
            assertThat(context.getBean(WorkerPool.class).adjust(-100)).isEqualTo(leased + 1);
            assertThat(threadPool(context).getMaxThreads()).isEqualTo(leased + 1);
        }
    }

    @Test
    void logsWhatJettyDoesNotTake(CapturedOutput output) {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=7",
                "exporter.gunicorn.keepalive=9")) {
            context.getBean(ExporterLifecycle.class).webServerBound(server(context).getPort());
            assertThat(output).containsOnlyOnce("Worker configuration: server=jetty, workers=7, bind=server default, "
                    + "timeout=30s, keepalive=9s (not applied: jetty closes idle keep-alive connections after the "
                    + "timeout), worker-class=sync");
        }
    }

    private static ConfigurableApplicationContext run(String... properties) {
        return new SpringApplicationBuilder(JettyApplication.class).web(WebApplicationType.SERVLET)
            .properties(EmbeddedServerTestSupport.properties(properties))
            .run();
    }

    private static JettyWebServer server(ConfigurableApplicationContext context) {
        return (JettyWebServer) ((WebServerApplicationContext) context).getWebServer();
    }

    private static QueuedThreadPool threadPool(ConfigurableApplicationContext context) {
        return (QueuedThreadPool) server(context).getServer().getThreadPool();
    }

    private static ServerConnector connector(ConfigurableApplicationContext context) {
        return (ServerConnector) server(context).getServer().getConnectors()[0];
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ JettyServletWebServerAutoConfiguration.class, WorkerExporterAutoConfiguration.class })
    static class JettyApplication {

    }

}
