package io.github.workerexporter.autoconfigure;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

import io.github.workerexporter.environment.WorkerPool;
import io.github.workerexporter.hooks.ExporterLifecycle;
import org.apache.coyote.AbstractProtocol;
import org.apache.tomcat.util.threads.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests of the gunicorn settings on a running Tomcat.
 *
 * @author Worker Exporter
 */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedServerTomcatTests {

    @Test
    void runningConnectorHasWorkersTimeoutAndKeepalive() {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=7", "exporter.gunicorn.timeout=45",
                "exporter.gunicorn.keepalive=9")) {
            AbstractProtocol<?> protocol = protocol(context);
            assertThat(protocol.getMaxThreads()).isEqualTo(7);
            assertThat(protocol.getConnectionTimeout()).isEqualTo(45_000);
            assertThat(protocol.getKeepAliveTimeout()).isEqualTo(9_000);
        }
    }

    @Test
    void explicitServerPropertyWinsOverWorkers(CapturedOutput output) {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=7",
                "server.tomcat.threads.max=50")) {
            assertThat(protocol(context).getMaxThreads()).isEqualTo(50);
            assertThat(output)
                .containsOnlyOnce("server.tomcat.threads.max=50 set explicitly; ignoring exporter.gunicorn.workers=7");
        }
    }

    @Test
    void listensOnTheBindAddress() throws Exception {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.bind=127.0.0.1:0")) {
            AbstractProtocol<?> protocol = protocol(context);
            assertThat(protocol.getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", protocol.getLocalPort()), 5_000);
                assertThat(socket.isConnected()).isTrue();
            }
        }
    }

    @Test
    void workerPoolResizesTheRunningExecutor() {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=7")) {
            WorkerPool pool = context.getBean(WorkerPool.class);
            assertThat(pool.adjust(+1)).isEqualTo(8);
            assertThat(protocol(context).getMaxThreads()).isEqualTo(8);
            assertThat(executorMaximum(context)).isEqualTo(8);
            assertThat(pool.adjust(-3)).isEqualTo(5);
            assertThat(executorMaximum(context)).isEqualTo(5);
        }
    }

    @Test
    void workerPoolNeverGoesBelowOne() {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=2")) {
            WorkerPool pool = context.getBean(WorkerPool.class);
            assertThat(pool.adjust(-1)).isEqualTo(1);
            assertThat(pool.adjust(-1)).isEqualTo(1);
            assertThat(pool.maximum()).isEqualTo(1);
            assertThat(executorMaximum(context)).isEqualTo(1);
        }
    }

    @Test
    void logsTheEffectiveConfigurationOnceAtPostFork(CapturedOutput output) {
        try (ConfigurableApplicationContext context = run("exporter.gunicorn.workers=7", "exporter.gunicorn.timeout=45",
                "exporter.gunicorn.bind=127.0.0.1:0", "exporter.redis.password=secret-value")) {
            ExporterLifecycle lifecycle = context.getBean(ExporterLifecycle.class);
            lifecycle.webServerBound(((WebServerApplicationContext) context).getWebServer().getPort());
            lifecycle.webServerBound(0);
            assertThat(output).containsOnlyOnce(
                    "Worker configuration: server=tomcat, workers=7, bind=127.0.0.1:0, timeout=45s, keepalive=2s, worker-class=sync");
            assertThat(output).doesNotContain("secret-value");
        }
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void failsWithClearErrorWhenVirtualWorkersRunOnJava17() {
        assertThatException().isThrownBy(() -> run("exporter.gunicorn.worker-class=virtual"))
            .satisfies((ex) -> assertThat(EmbeddedServerTestSupport.cause(ex)).satisfies((invalid) -> {
                assertThat(invalid.getProperty()).isEqualTo("exporter.gunicorn.worker-class");
                assertThat(invalid.getReason())
                    .isEqualTo("virtual threads need Java 21 or later; this JVM is " + Runtime.version().feature());
            }));
    }

    private static ConfigurableApplicationContext run(String... properties) {
        return new SpringApplicationBuilder(TomcatApplication.class).web(WebApplicationType.SERVLET)
            .properties(EmbeddedServerTestSupport.properties(properties))
            .run();
    }

    private static AbstractProtocol<?> protocol(ConfigurableApplicationContext context) {
        TomcatWebServer server = (TomcatWebServer) ((WebServerApplicationContext) context).getWebServer();
        return (AbstractProtocol<?>) server.getTomcat().getConnector().getProtocolHandler();
    }

    private static int executorMaximum(ConfigurableApplicationContext context) {
        return ((ThreadPoolExecutor) protocol(context).getExecutor()).getMaximumPoolSize();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class, WorkerExporterAutoConfiguration.class })
    static class TomcatApplication {

    }

}
