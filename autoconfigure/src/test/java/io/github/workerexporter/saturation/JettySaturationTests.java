package io.github.workerexporter.saturation;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration;
import org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The saturation gauges of a real Jetty: its queued thread pool less the threads leased
 * to acceptors and selectors, its connected end points and
 * {@code server.jetty.max-connections}, and its accept queue (the JDK's backlog of 50, as
 * Jetty asks for none).
 *
 * @author Worker Exporter
 */
class JettySaturationTests extends AbstractServerSaturationTests {

    @Override
    String server() {
        return "jetty";
    }

    @Override
    Class<?> application() {
        return JettyApplication.class;
    }

    @Override
    int defaultBacklog() {
        return 50;
    }

    @Override
    int smallPool() {
        return 8;
    }

    /**
     * When every thread is busy, Jetty's reserved thread executor queues a job to start a
     * reserved thread; that job is no request. Counted, a saturated pool read one request
     * more than were sent (the CI failure "waiting 3.0, busy 6.0" for 8 requests on 6
     * threads).
     * @throws Exception if the test fails
     */
    @Test
    void theJobThatStartsAReservedThreadIsNoWaitingRequest() throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(4, 4);
        pool.setReservedThreads(1);
        Server server = new Server(pool);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(4);
        server.start();
        try {
            for (int i = 0; i < 4; i++) {
                pool.execute(() -> {
                    running.countDown();
                    await(release);
                });
            }
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.tryExecute(() -> {
            })).isFalse();
            pool.execute(() -> {
            });
            pool.execute(() -> {
            });
            assertThat(pool.getQueueSize()).isEqualTo(3);
            ServerReading reading = new JettySaturation(server).read();
            assertThat(reading.requestsWaiting()).isEqualTo(2);
            assertThat(reading.threadsBusy()).isEqualTo(4);
        }
        finally {
            release.countDown();
            server.stop();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ JettyServletWebServerAutoConfiguration.class, MetricsAutoConfiguration.class,
            PrometheusMetricsExportAutoConfiguration.class, WorkerExporterAutoConfiguration.class })
    @Import(SlowApplication.class)
    static class JettyApplication {

    }

}
