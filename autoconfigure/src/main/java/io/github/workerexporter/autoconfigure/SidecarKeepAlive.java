package io.github.workerexporter.autoconfigure;

import java.util.concurrent.CountDownLatch;

import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Keeps a sidecar's JVM running: a sidecar usually has no web server, and the metrics
 * server's threads are daemon threads, so without this non-daemon thread the JVM would
 * exit once started. The thread ends when the context closes (SIGTERM, SIGINT).
 *
 * @author Worker Exporter
 */
class SidecarKeepAlive implements SmartLifecycle {

    static final String THREAD_NAME = "exporter-sidecar-keep-alive";

    private volatile @Nullable CountDownLatch running;

    @Override
    public void start() {
        CountDownLatch latch = new CountDownLatch(1);
        Thread thread = new Thread(() -> {
            try {
                latch.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }, THREAD_NAME);
        thread.setDaemon(false);
        thread.start();
        this.running = latch;
    }

    @Override
    public void stop() {
        CountDownLatch latch = this.running;
        if (latch != null) {
            latch.countDown();
            this.running = null;
        }
    }

    @Override
    public boolean isRunning() {
        return this.running != null;
    }

}
