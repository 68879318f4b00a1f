package io.github.workerexporter.saturation;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The saturation gauges of a real servlet server on loopback, the same for every server:
 * a subclass names the server. Requests are held in {@link SlowServlet} and connections
 * are raw sockets, so the test knows what the server holds when it scrapes.
 *
 * @author Worker Exporter
 */
abstract class AbstractServerSaturationTests {

    private final List<Socket> sockets = new ArrayList<>();

    private @Nullable ConfigurableApplicationContext context;

    /**
     * The server's name in Spring Boot's properties: {@code server.<name>.threads.max}.
     * @return the name, such as {@code tomcat}
     */
    abstract String server();

    /**
     * The application: the server's auto-configuration, the exporter's and
     * {@link SlowApplication}.
     * @return the application class
     */
    abstract Class<?> application();

    /**
     * The limit of the accept queue the server asks for by default, before
     * {@code somaxconn} caps it.
     * @return the backlog
     */
    abstract int defaultBacklog();

    @AfterEach
    void stop() throws IOException {
        if (this.context != null) {
            this.context.getBean(SlowServlet.class).open();
        }
        for (Socket socket : this.sockets) {
            socket.close();
        }
        if (this.context != null) {
            this.context.close();
        }
    }

    @Test
    void busyThreadsCountTheRequestsInFlight() throws Exception {
        SaturationGauges gauges = start("server." + server() + ".threads.max=20");
        double max = gauges.value("threads_max").orElseThrow();
        assertThat(gauges.value("threads_busy").orElseThrow()).isLessThan(3);
        for (int i = 0; i < 3; i++) {
            sendSlowRequest();
        }
        assertThat(this.context.getBean(SlowServlet.class).awaitEntered(3)).isTrue();
        assertThat(gauges.value("threads_busy").orElseThrow()).isGreaterThanOrEqualTo(3).isLessThanOrEqualTo(max);
        assertThat(gauges.value("requests_waiting")).hasValue(0);
    }

    /**
     * Every request runs or waits: {@code max + 2} requests on a pool of {@code max}
     * request threads leave some waiting. Tomcat runs {@code max} of them; Jetty keeps a
     * reserved thread for non-blocking tasks, which runs none of these blocking requests,
     * so it runs {@code max - 1}.
     * @throws Exception if the test fails
     */
    @Test
    void requestsWaitForAThreadWhenEveryThreadIsBusy() throws Exception {
        SaturationGauges gauges = start("server." + server() + ".threads.max=" + smallPool());
        int max = (int) gauges.value("threads_max").orElseThrow();
        for (int i = 0; i < max + 2; i++) {
            sendSlowRequest();
        }
        SlowServlet servlet = this.context.getBean(SlowServlet.class);
        assertThat(servlet.awaitEntered(1)).isTrue();
        // One consistent reading: the threads take queued requests while the test
        // scrapes,
        // so a reading counts only when no request entered the servlet during it.
        String reading = "";
        for (int i = 0; i < 1000; i++) {
            int entered = servlet.entered();
            double waiting = gauges.value("requests_waiting").orElseThrow();
            double busy = gauges.value("threads_busy").orElseThrow();
            if (servlet.entered() == entered && waiting >= 2 && busy == entered && waiting + entered == max + 2) {
                return;
            }
            reading = "waiting " + waiting + ", busy " + busy + ", entered " + entered;
            Thread.sleep(10);
        }
        throw new AssertionError("expected " + (max + 2) + " requests, at least 2 waiting, as busy threads and waiting"
                + " requests; last reading: " + reading);
    }

    @Test
    void connectionsCountTheOpenConnections() throws Exception {
        SaturationGauges gauges = start("server." + server() + ".max-connections=40");
        double idle = gauges.value("connections").orElseThrow();
        assertThat(idle).isEqualTo(idleConnections());
        assertThat(gauges.value("connections_max")).hasValue(40);
        for (int i = 0; i < 5; i++) {
            connect();
        }
        gauges.await("connections", (connections) -> connections == idle + 5);
        for (Socket socket : this.sockets) {
            socket.close();
        }
        gauges.await("connections", (connections) -> connections == idle);
    }

    @Test
    void theAcceptQueueHoldsTheConnectionsTheServerNoLongerAccepts() throws Exception {
        assumeTrue(AcceptQueue.linux() != null, "no /proc/net/tcp: the accept queue is read on Linux only");
        SaturationGauges gauges = start("server." + server() + ".max-connections=2");
        assertThat(gauges.value("accept_queue")).hasValue(0);
        assertThat(gauges.value("accept_queue_max")).hasValue(Math.min(defaultBacklog(), somaxconn()));
        connect();
        connect();
        gauges.await("connections", (connections) -> connections == 2);
        for (int i = 0; i < 3; i++) {
            connect();
        }
        gauges.await("accept_queue", (queue) -> queue >= 2);
    }

    /**
     * The connection count of the server when no client is connected.
     * @return the count
     */
    int idleConnections() {
        return 0;
    }

    /**
     * A pool small enough to fill, large enough for the server to start.
     * @return the maximum threads
     */
    int smallPool() {
        return 4;
    }

    private SaturationGauges start(String... properties) {
        String[] all = Stream
            .concat(Stream.of("server.port=0", "server.address=127.0.0.1", "exporter.prometheus.metrics-port=0",
                    "exporter.worker.id=w1", "spring.main.banner-mode=off"), Stream.of(properties))
            .toArray(String[]::new);
        this.context = new SpringApplicationBuilder(application()).web(WebApplicationType.SERVLET)
            .properties(all)
            .run();
        return new SaturationGauges(this.context.getBean(PrometheusRegistry.class), "w1");
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        this.sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", port()), 5_000);
        return socket;
    }

    private void sendSlowRequest() throws IOException {
        OutputStream out = connect().getOutputStream();
        out.write("GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private int port() {
        return ((WebServerApplicationContext) this.context).getWebServer().getPort();
    }

    private static long somaxconn() throws IOException {
        // Not Files.readString: it reads "4" of "4096" on Java 17, as a /proc file says
        // it is empty.
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/net/core/somaxconn"))) {
            return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class SlowApplication {

        @Bean
        SlowServlet slowServlet() {
            return new SlowServlet();
        }

        @Bean
        ServletContextInitializer slowServletRegistration(SlowServlet servlet) {
            return (servletContext) -> servletContext.addServlet("slow", servlet).addMapping("/slow");
        }

    }

}
