package io.github.workerexporter.saturation;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * A servlet whose requests hold their request thread until the test opens the gate; the
 * test learns how many requests have entered.
 *
 * @author Worker Exporter
 */
class SlowServlet extends HttpServlet {

    private final Semaphore entered = new Semaphore(0);

    private final AtomicInteger running = new AtomicInteger();

    private final CountDownLatch gate = new CountDownLatch(1);

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        this.running.incrementAndGet();
        this.entered.release();
        try {
            this.gate.await(60, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        response.getWriter().print("done");
    }

    /**
     * Wait until requests have entered the servlet (their threads are busy).
     * @param requests how many
     * @return whether they entered within 30 seconds
     * @throws InterruptedException if interrupted
     */
    boolean awaitEntered(int requests) throws InterruptedException {
        return this.entered.tryAcquire(requests, 30, TimeUnit.SECONDS);
    }

    /**
     * How many requests have entered the servlet so far.
     * @return the count
     */
    int entered() {
        return this.running.get();
    }

    /**
     * Let every request finish.
     */
    void open() {
        this.gate.countDown();
    }

}
