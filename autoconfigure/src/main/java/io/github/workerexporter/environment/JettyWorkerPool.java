package io.github.workerexporter.environment;

import org.eclipse.jetty.util.thread.ThreadPool.SizedThreadPool;
import org.eclipse.jetty.util.thread.ThreadPoolBudget;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.web.server.WebServer;

/**
 * The request threads of a running Jetty: the maximum of its thread pool, kept above the
 * threads that Jetty's acceptors and selectors lease from it.
 *
 * @author Worker Exporter
 */
final class JettyWorkerPool implements WorkerPool {

    private final SizedThreadPool pool;

    private JettyWorkerPool(SizedThreadPool pool) {
        this.pool = pool;
    }

    static @Nullable WorkerPool of(WebServer webServer) {
        if (webServer instanceof JettyWebServer jetty
                && jetty.getServer().getThreadPool() instanceof SizedThreadPool pool) {
            return new JettyWorkerPool(pool);
        }
        return null;
    }

    @Override
    public synchronized int adjust(int delta) {
        ThreadPoolBudget budget = this.pool.getThreadPoolBudget();
        int floor = (budget != null) ? budget.getLeasedThreads() + 1 : 1;
        int target = (int) Math.max(floor, Math.min(Integer.MAX_VALUE, (long) maximum() + delta));
        this.pool.setMaxThreads(target);
        return target;
    }

    @Override
    public int maximum() {
        return this.pool.getMaxThreads();
    }

}
