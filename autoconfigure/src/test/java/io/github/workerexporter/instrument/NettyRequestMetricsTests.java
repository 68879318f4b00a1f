package io.github.workerexporter.instrument;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.github.workerexporter.metrics.RequestExposition;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request metrics of a WebFlux application on Reactor Netty, and a request whose client
 * resets the connection while it is held: counted once, whether Netty cancels the
 * exchange or lets it finish.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = TestServers.Netty.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "spring.main.web-application-type=reactive")
class NettyRequestMetricsTests extends AbstractRequestMetricsServerTests {

    private static final String REQUESTS = "gunicorn_worker_requests_total{worker_id=\"w1\"}";

    private static final String IN_FLIGHT = "gunicorn_worker_requests_in_flight{worker_id=\"w1\"}";

    @LocalServerPort
    private int port;

    @Autowired
    private PrometheusRegistry registry;

    @Test
    void countsARequestWhoseClientDisconnectsOnceAndTakesItOutOfFlight() throws Exception {
        HeldRequests.hold();
        try {
            double before = scrape().value(REQUESTS);
            double inFlight = scrape().value(IN_FLIGHT);
            try (Socket socket = new Socket("127.0.0.1", this.port)) {
                socket.setSoLinger(true, 0);
                OutputStream out = socket.getOutputStream();
                out.write("GET /held HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                await(IN_FLIGHT, inFlight + 1);
            }
            HeldRequests.release();
            await(IN_FLIGHT, inFlight);
            await(REQUESTS, before + 1);
        }
        finally {
            HeldRequests.release();
        }
    }

    private void await(String key, double expected) throws InterruptedException {
        for (int i = 0; i < 500 && scrape().value(key) != expected; i++) {
            Thread.sleep(10);
        }
        assertThat(scrape().value(key)).isEqualTo(expected);
    }

    private RequestExposition scrape() {
        return RequestExposition.scrape(this.registry);
    }

}
