package io.github.workerexporter.hooks;

/**
 * The original's hooks, each mapped onto a point of Spring Boot's lifecycle.
 *
 * @author Worker Exporter
 */
public enum HookPhase {

    /**
     * The context is refreshed and nothing listens yet: shared directory checked, master
     * metrics initialised.
     */
    ON_STARTING("on_starting"),

    /**
     * The web server has bound its port.
     */
    POST_FORK("post_fork"),

    /**
     * The application is ready: metrics server started, storage initialised.
     */
    WHEN_READY("when_ready"),

    /**
     * The application is ready and Redis storage is enabled.
     */
    REDIS_WHEN_READY("redis_when_ready"),

    /**
     * Shutdown began (a signal or a context close), before the graceful shutdown of the
     * web server: worker state updated, last flush.
     */
    WORKER_INT("worker_int"),

    /**
     * The web server has stopped: metrics server stopped, child processes ended, files
     * cleaned.
     */
    ON_EXIT("on_exit");

    private final String hookName;

    HookPhase(String hookName) {
        this.hookName = hookName;
    }

    /**
     * The original's name of this hook, such as {@code when_ready}.
     * @return the hook name
     */
    public String hookName() {
        return this.hookName;
    }

}
