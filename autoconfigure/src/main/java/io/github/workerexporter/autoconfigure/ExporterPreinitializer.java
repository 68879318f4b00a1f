package io.github.workerexporter.autoconfigure;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.spi.HttpServerProvider;
import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.metrics.MasterRestarts;
import io.github.workerexporter.metrics.ProcessStats;
import io.github.workerexporter.metrics.RequestMetrics;
import io.github.workerexporter.metrics.WorkerMetrics;
import io.github.workerexporter.metrics.WorkerRestartMetrics;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationListener;
import org.springframework.core.NativeDetector;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Loads and initializes, on a background thread, the classes that the exporter's beans
 * need, while the application's context is still being prepared, as Spring Boot's
 * {@code BackgroundPreinitializingApplicationListener} does for its conversion service
 * and charsets. The main thread then finds them ready, and the exporter adds less to the
 * application's start-up (see "Start-up" in docs/performance.md).
 * <p>
 * The work is done on a throw-away registry: nothing is registered, bound, written or
 * logged where the application can see it. It runs at most once per JVM, and not at all
 * when {@code exporter.enabled} is {@code false} (or not a boolean, which fails start-up
 * anyway), in a native image (classes are initialized at build time), on a single CPU
 * (there is no idle core to do it on), or when
 * {@code -Dspring.backgroundpreinitializer.ignore=true} turns Boot's own off.
 *
 * @author Worker Exporter
 */
public class ExporterPreinitializer implements ApplicationListener<ApplicationEnvironmentPreparedEvent>, Ordered {

    /**
     * Spring Boot's switch for its background pre-initialization, which turns this one
     * off too.
     */
    public static final String IGNORE_PROPERTY = "spring.backgroundpreinitializer.ignore";

    /**
     * The exporter's classes that a servlet application with in-process storage loads
     * while it starts, in the order it loads them (names under
     * {@code io.github.workerexporter.}). A class missing from the class path (Tomcat's
     * customizer in a Jetty application) is skipped.
     */
    static final List<String> CLASSES = List.of("environment.WorkerIdentity", "autoconfigure.StorageModeCondition",
            "autoconfigure.StorageMode", "autoconfigure.StorageMode$Decision", "autoconfigure.ConditionalOnStorage",
            "storage.MetricStore", "autoconfigure.ExporterEndpoint",
            "autoconfigure.EmbeddedServerConfiguration$TomcatWorkerConfiguration", "environment.EnvironmentManager",
            "environment.TomcatWorkerCustomizer",
            "autoconfigure.WorkerExporterAutoConfiguration$WebServerHookConfiguration", "hooks.ExporterLifecycle",
            "autoconfigure.EmbeddedServerConfiguration", "environment.WorkerSettings",
            "autoconfigure.ExporterProperties", "hooks.ExporterHook", "environment.WorkerPool",
            "environment.ServerWorkerPool", "hooks.HookContext", "autoconfigure.ProcessConfiguration",
            "process.ProcessManager", "autoconfigure.MetricsServerConfiguration", "server.MetricsServerManager",
            "autoconfigure.RequestMetricsConfiguration$ServletRequestMetricsConfiguration",
            "autoconfigure.RequestMetricsConfiguration$SpringMvcRequestMetricsConfiguration", "metrics.RequestMetrics",
            "metrics.RequestExemplars", "instrument.HandledExceptionRecorder", "instrument.RequestMetricsFilter",
            "autoconfigure.RequestMetricsConfiguration", "autoconfigure.WorkerStateConfiguration",
            "metrics.ProcessStats", "metrics.MasterRestarts", "metrics.WorkerMetrics", "metrics.WorkerRestartMetrics",
            "metrics.WorkerStateHook", "metrics.SignalHandlers", "autoconfigure.SaturationConfiguration",
            "saturation.SaturationMetrics", "saturation.AcceptQueue",
            "autoconfigure.StorageHealthConfiguration$StorageHealthIndicatorConfiguration",
            "autoconfigure.RedisStorageConfiguration", "autoconfigure.StorageMergedViewConfiguration",
            "autoconfigure.SidecarConfiguration", "autoconfigure.StorageHealthConfiguration",
            "autoconfigure.StorageConfiguration", "storage.SnapshotCodec", "lifecycle.WorkerLifecycle",
            "autoconfigure.WorkerExporterAutoConfiguration", "hooks.HookManager", "hooks.HookManager$NamedHook",
            "autoconfigure.ExporterProperties$Prometheus", "autoconfigure.ExporterProperties$Ssl",
            "autoconfigure.ExporterProperties$Gunicorn", "autoconfigure.ExporterProperties$Redis",
            "autoconfigure.ExporterProperties$Cleanup", "autoconfigure.ExporterProperties$Metrics",
            "autoconfigure.ExporterProperties$Worker", "autoconfigure.ExporterProperties$Hooks",
            "autoconfigure.ExporterProperties$Process", "autoconfigure.ExporterProperties$Storage",
            "autoconfigure.ExporterProperties$Sidecar",
            "autoconfigure.ExporterEndpointAutoConfiguration$ActuatorConfiguration$EndpointConfiguration",
            "autoconfigure.ExporterEndpointAutoConfiguration$ActuatorConfiguration",
            "autoconfigure.ExporterEndpointAutoConfiguration", "autoconfigure.ExporterProperties$OnBindFailure",
            "autoconfigure.ExporterProperties$Auth", "autoconfigure.ExporterProperties$MetricsServer",
            "autoconfigure.EmbeddedServerPropertiesValidator", "environment.WorkerClass", "environment.BindAddress",
            "autoconfigure.ExporterPropertiesValidator", "metrics.OneDataPointCollector", "metrics.StripedCounter",
            "metrics.Stripes", "metrics.ClassicHistogram", "metrics.LabelSetCap", "hooks.HookPhase",
            "process.CleanupResult", "process.ProcessManager$Signalled", "hooks.FatalHookFailure",
            "server.MetricsServerBindException", "server.MetricsServerRegistry",
            "autoconfigure.MetricsServerPropertiesValidator", "server.MetricsServerBasicAuthenticator",
            "server.MetricsServerSettings", "autoconfigure.MetricsServerSslSettings",
            "autoconfigure.MetricsServerSslSettings$Value", "server.MetricsServerLimits",
            "server.MetricsServerExecutor", "lifecycle.WorkerState", "lifecycle.StopReason",
            "lifecycle.OutOfMemoryHandler", "metrics.SignalHandlers$CountingHandler", "hooks.HookExecutionException",
            "hooks.HookManager$Action", "autoconfigure.StorageHealthIndicator", "storage.BinarySnapshotCodec",
            "storage.StoreException", "autoconfigure.ExporterEndpointConfigurationView", "merge.GaugeMode",
            "storage.HeartbeatAges", "autoconfigure.ExporterEndpoint$ExporterDescriptor", "storage.WorkerRecord",
            "autoconfigure.ExporterEndpoint$StoredWorker", "autoconfigure.ExporterEndpoint$StorageDescriptor",
            "autoconfigure.ExporterSanitizingFunction", "autoconfigure.ExporterLazyInitializationExcludeFilter",
            "merge.MergingCollector", "merge.WorkerCensus", "merge.Census", "merge.KnownWorker", "merge.Liveness",
            "autoconfigure.WorkerCensusConfiguration", "autoconfigure.MergedViewAutoConfiguration",
            "publish.WorkerPublisher", "publish.WorkerIdConflict", "merge.CrashDiagnostics", "storage.WorkerLife",
            "metrics.WorkerStateHook$1", "environment.TomcatWorkerPool", "server.MetricsServerNotFoundHandler",
            "server.MetricsServerHandler", "server.MetricsServerRegistry$ScrapeFailedException",
            "server.MetricsServerExecutor$Exchange", "server.MetricsServerExecutor$NetworkTimeoutException",
            "server.OpenMetricsExposition", "server.PrometheusTextExposition", "server.TextExpositions",
            "autoconfigure.ExpositionScrapeEndpoint");

    /**
     * The JDK's HTTP server classes that the metrics server loads when it starts (not
     * public API: a name that a later JDK no longer has is skipped).
     */
    static final List<String> HTTP_SERVER_CLASSES = List.of("sun.net.httpserver.ServerImpl",
            "sun.net.httpserver.ServerImpl$Dispatcher", "sun.net.httpserver.ServerConfig",
            "sun.net.httpserver.HttpContextImpl", "sun.net.httpserver.ContextList", "sun.net.httpserver.AuthFilter");

    private static final Logger logger = LoggerFactory.getLogger(ExporterPreinitializer.class);

    private static final AtomicBoolean started = new AtomicBoolean();

    private static final String NAME = "preinitialize";

    @Override
    public int getOrder() {
        // After the environment post-processors: the original's config file may set
        // exporter.enabled.
        return Ordered.LOWEST_PRECEDENCE;
    }

    @Override
    public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
        if (isWanted(event.getEnvironment(), Runtime.getRuntime().availableProcessors(),
                NativeDetector.inNativeImage() || Boolean.getBoolean(IGNORE_PROPERTY))
                && started.compareAndSet(false, true)) {
            Thread thread = new Thread(ExporterPreinitializer::run, "exporter-preinit");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Whether to pre-initialize.
     * @param environment the application's environment
     * @param processors the CPUs available to the JVM
     * @param switchedOff whether pre-initialization is off (native image, Boot's switch)
     * @return {@code true} to start the background thread
     */
    static boolean isWanted(Environment environment, int processors, boolean switchedOff) {
        if (switchedOff || processors <= 1) {
            return false;
        }
        try {
            return Binder.get(environment).bind("exporter.enabled", Boolean.class).orElse(true);
        }
        catch (RuntimeException ex) {
            // A bad value fails start-up later, with its own message.
            return false;
        }
    }

    private static void run() {
        try {
            preinitialize();
        }
        catch (Throwable ex) {
            logger.debug("Background pre-initialization stopped: {}", ex.toString());
        }
    }

    /**
     * Load the exporter's classes, then do once what the worker's beans do at start (the
     * families on a throw-away registry): work out the default worker identity (host
     * name, pid, start time), create the worker's families and the metrics server's
     * scrape handler, and load the JDK's HTTP server. What only the first scrape or flush
     * needs is left to them: start-up is all this shortens, and on a small machine the
     * other core is busy too (the JIT compilers).
     */
    static void preinitialize() {
        CLASSES.forEach((name) -> load("io.github.workerexporter." + name));
        WorkerIdentity.current(null);
        PrometheusRegistry registry = new PrometheusRegistry();
        new RequestMetrics(registry, NAME, NAME, 1);
        registry.register(new MasterRestarts(NAME, NAME));
        WorkerLifecycle lifecycle = new WorkerLifecycle();
        new WorkerRestartMetrics(registry, NAME, NAME, lifecycle);
        new WorkerMetrics(registry, NAME, NAME, new ProcessStats(Instant.now()), lifecycle);
        new PrometheusScrapeHandler(registry);
        HttpServerProvider.provider();
        HTTP_SERVER_CLASSES.forEach(ExporterPreinitializer::load);
    }

    private static void load(String name) {
        try {
            Class.forName(name, true, ExporterPreinitializer.class.getClassLoader());
        }
        catch (ClassNotFoundException | LinkageError ex) {
            // Not on this class path (an optional dependency, another JDK): not needed.
        }
    }

}
