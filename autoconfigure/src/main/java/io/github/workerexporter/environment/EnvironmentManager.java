package io.github.workerexporter.environment;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Applies the original's gunicorn settings to the embedded web server, for the
 * server-specific customizers ({@link TomcatWorkerCustomizer},
 * {@link JettyWorkerCustomizer}, {@link NettyWorkerCustomizer}). A {@code server.*}
 * property set explicitly always wins over the gunicorn setting it overlaps; that is
 * logged once at INFO. What was applied is logged once by
 * {@link #logEffectiveSettings()}, at {@code post_fork}.
 *
 * @author Worker Exporter
 */
public class EnvironmentManager {

    /**
     * Order of the customizers: after Spring Boot's own, so that a gunicorn setting
     * replaces Boot's default.
     */
    public static final int CUSTOMIZER_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

    static final String VIRTUAL_THREADS_PROPERTY = "spring.threads.virtual.enabled";

    private static final Logger logger = LoggerFactory.getLogger(EnvironmentManager.class);

    private static final String[] SETTINGS = { "workers", "bind", "timeout", "keepalive", "worker-class" };

    private final WorkerSettings settings;

    private final Environment environment;

    private final Map<String, String> effective = new ConcurrentHashMap<>();

    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    private final AtomicBoolean logged = new AtomicBoolean();

    private volatile String serverType = "none";

    /**
     * Create a manager.
     * @param settings the validated gunicorn settings
     * @param environment the environment, to tell which {@code server.*} properties are
     * set explicitly
     */
    public EnvironmentManager(WorkerSettings settings, Environment environment) {
        this.settings = settings;
        this.environment = environment;
    }

    public WorkerSettings getSettings() {
        return this.settings;
    }

    /**
     * Apply a gunicorn setting unless the server property it overlaps is set.
     * @param <T> the type of the value
     * @param setting the setting under {@code exporter.gunicorn}, such as {@code workers}
     * @param serverProperty the overlapping property, such as
     * {@code server.tomcat.threads.max}
     * @param value the value, or {@code null} to leave the server's default
     * @param action what applies the value
     * @return whether the value was applied
     */
    public <T> boolean apply(String setting, String serverProperty, @Nullable T value, Consumer<T> action) {
        if (value == null) {
            return false;
        }
        if (isExplicit(setting, serverProperty, value)) {
            this.effective.putIfAbsent(setting,
                    this.environment.getProperty(serverProperty) + " (" + serverProperty + ")");
            return false;
        }
        action.accept(value);
        this.effective.putIfAbsent(setting, format(value));
        return true;
    }

    /**
     * Record a setting that this server cannot take.
     * @param setting the setting under {@code exporter.gunicorn}
     * @param value its value, or {@code null} when it is not set
     * @param why why, for the log
     */
    public void notApplied(String setting, @Nullable Object value, String why) {
        if (value != null) {
            this.effective.putIfAbsent(setting, format(value) + " (not applied: " + why + ")");
        }
    }

    /**
     * Apply {@code bind} as the server's address and port; an explicit
     * {@code server.address} or {@code server.port} wins.
     * @param factory the web server factory
     */
    public void applyBind(ConfigurableWebServerFactory factory) {
        BindAddress bind = this.settings.bind();
        if (bind == null) {
            return;
        }
        boolean address = apply("bind", "server.address", bind, (value) -> factory.setAddress(value.resolve()));
        boolean port = apply("bind", "server.port", bind, (value) -> factory.setPort(value.port()));
        String host = address ? bind.hostText() : this.environment.getProperty("server.address", "");
        this.effective.put("bind", host + ":" + (port ? bind.port() : this.environment.getProperty("server.port")));
    }

    /**
     * Whether request threads are to be virtual: worker class {@code virtual}, unless
     * {@code spring.threads.virtual.enabled} is set (then Spring Boot decides).
     * @return whether to switch the server to virtual threads
     */
    public boolean useVirtualThreads() {
        WorkerClass virtual = (this.settings.workerClass() == WorkerClass.VIRTUAL) ? WorkerClass.VIRTUAL : null;
        return apply("worker-class", VIRTUAL_THREADS_PROPERTY, virtual, (value) -> {
        });
    }

    /**
     * Record which web server is customized.
     * @param serverType such as {@code tomcat}
     */
    public void serverType(String serverType) {
        this.serverType = serverType;
    }

    /**
     * Log the effective worker configuration once at INFO; secrets are never part of it.
     */
    public void logEffectiveSettings() {
        if (!this.logged.compareAndSet(false, true)) {
            return;
        }
        StringBuilder line = new StringBuilder("Worker configuration: server=").append(this.serverType);
        this.effective.putIfAbsent("worker-class", this.settings.workerClass().toString());
        for (String setting : SETTINGS) {
            line.append(", ")
                .append(setting)
                .append('=')
                .append(this.effective.getOrDefault(setting, "server default"));
        }
        logger.info(line.toString());
    }

    private boolean isExplicit(String setting, String serverProperty, Object value) {
        if (!this.environment.containsProperty(serverProperty)) {
            return false;
        }
        if (this.reported.add(serverProperty)) {
            logger.info("{}={} set explicitly; ignoring exporter.gunicorn.{}={}", serverProperty,
                    this.environment.getProperty(serverProperty), setting, format(value));
        }
        return true;
    }

    static int millis(Duration duration) {
        return (int) Math.min(duration.toMillis(), Integer.MAX_VALUE);
    }

    private static String format(Object value) {
        if (value instanceof Duration duration) {
            return (duration.toMillisPart() == 0) ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
        }
        return value.toString();
    }

}
