package io.github.workerexporter.environment;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.util.ClassUtils;

/**
 * The {@link WorkerPool} of this application's running web server, found when it is
 * initialized: Tomcat's connector executor or Jetty's thread pool. Reactor Netty and
 * virtual request threads have no pool to resize, and {@link #adjust} then fails.
 *
 * @author Worker Exporter
 */
public class ServerWorkerPool implements WorkerPool, ApplicationListener<WebServerInitializedEvent> {

    private static final boolean TOMCAT_PRESENT = ClassUtils
        .isPresent("org.springframework.boot.tomcat.TomcatWebServer", ServerWorkerPool.class.getClassLoader());

    private static final boolean JETTY_PRESENT = ClassUtils.isPresent("org.springframework.boot.jetty.JettyWebServer",
            ServerWorkerPool.class.getClassLoader());

    private final ApplicationContext applicationContext;

    private volatile @Nullable WorkerPool delegate;

    private volatile String unavailable = "the web server has not started yet";

    /**
     * Create a pool for the web server of an application context.
     * @param applicationContext the application context whose web server is resized (not
     * a management child context)
     */
    public ServerWorkerPool(ApplicationContext applicationContext) {
        this.applicationContext = applicationContext;
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (event.getApplicationContext() != this.applicationContext) {
            return;
        }
        WebServer webServer = event.getWebServer();
        this.delegate = find(webServer);
        this.unavailable = webServer.getClass().getSimpleName() + " has no pool of platform request threads to resize";
    }

    private static @Nullable WorkerPool find(WebServer webServer) {
        WorkerPool pool = TOMCAT_PRESENT ? TomcatWorkerPool.of(webServer) : null;
        if (pool == null && JETTY_PRESENT) {
            pool = JettyWorkerPool.of(webServer);
        }
        return pool;
    }

    @Override
    public int adjust(int delta) {
        return pool().adjust(delta);
    }

    @Override
    public int maximum() {
        return pool().maximum();
    }

    private WorkerPool pool() {
        WorkerPool pool = this.delegate;
        if (pool == null) {
            throw new IllegalStateException("Cannot resize request threads: " + this.unavailable);
        }
        return pool;
    }

}
