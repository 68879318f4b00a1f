package io.github.workerexporter.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.merge.GaugeMode;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;

/**
 * Configuration of Worker Exporter: the {@code exporter.*} tree of
 * gunicorn-prometheus-exporter, which binds in kebab-case and in the original's
 * snake_case alike, plus our own keys.
 *
 * @author Worker Exporter
 */
@ConfigurationProperties("exporter")
public class ExporterProperties {

    /**
     * Whether Worker Exporter is enabled; false turns the whole starter off.
     */
    private boolean enabled = true;

    /**
     * YAML file in the original's format (root key 'exporter') added as a property source
     * between the environment variables and application.yml.
     */
    private @Nullable String configFile;

    private final Prometheus prometheus = new Prometheus();

    private final Ssl ssl = new Ssl();

    private final Gunicorn gunicorn = new Gunicorn();

    private final Redis redis = new Redis();

    private final Cleanup cleanup = new Cleanup();

    private final Metrics metrics = new Metrics();

    private final Worker worker = new Worker();

    private final Hooks hooks = new Hooks();

    private final Process process = new Process();

    private final Storage storage = new Storage();

    private final Sidecar sidecar = new Sidecar();

    public boolean isEnabled() {
        return this.enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public @Nullable String getConfigFile() {
        return this.configFile;
    }

    public void setConfigFile(@Nullable String configFile) {
        this.configFile = configFile;
    }

    public Prometheus getPrometheus() {
        return this.prometheus;
    }

    public Ssl getSsl() {
        return this.ssl;
    }

    public Gunicorn getGunicorn() {
        return this.gunicorn;
    }

    public Redis getRedis() {
        return this.redis;
    }

    public Cleanup getCleanup() {
        return this.cleanup;
    }

    public Metrics getMetrics() {
        return this.metrics;
    }

    public Worker getWorker() {
        return this.worker;
    }

    public Hooks getHooks() {
        return this.hooks;
    }

    public Process getProcess() {
        return this.process;
    }

    public Storage getStorage() {
        return this.storage;
    }

    public Sidecar getSidecar() {
        return this.sidecar;
    }

    /**
     * The metrics HTTP server and the shared directory.
     */
    public static class Prometheus {

        /**
         * Port of the metrics HTTP server (1-65535, 0 for any free port).
         */
        private int metricsPort = 9091;

        /**
         * Address the metrics HTTP server binds to.
         */
        private String bindAddress = "0.0.0.0";

        /**
         * Shared directory through which workers on one host publish their metrics; unset
         * means no file storage.
         */
        private @Nullable String multiprocDir;

        /**
         * Path at which the metrics HTTP server serves the exposition.
         */
        private String metricsPath = "/metrics";

        /**
         * What to do when the metrics port cannot be bound after all attempts: fail
         * start-up or warn and run without the metrics server.
         */
        private OnBindFailure onBindFailure = OnBindFailure.FAIL;

        /**
         * How many times to try to bind the metrics port before giving up.
         */
        private int bindAttempts = 5;

        /**
         * Back-off step between bind attempts; attempt n waits n times this.
         */
        private Duration bindBackoff = Duration.ofSeconds(2);

        /**
         * TLS of the metrics server as the original's code reads it; 'exporter.ssl' is
         * the documented form and both are accepted.
         */
        private final Ssl ssl = new Ssl();

        private final Auth auth = new Auth();

        private final MetricsServer server = new MetricsServer();

        public int getMetricsPort() {
            return this.metricsPort;
        }

        public void setMetricsPort(int metricsPort) {
            this.metricsPort = metricsPort;
        }

        public String getBindAddress() {
            return this.bindAddress;
        }

        public void setBindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
        }

        public @Nullable String getMultiprocDir() {
            return this.multiprocDir;
        }

        public void setMultiprocDir(@Nullable String multiprocDir) {
            this.multiprocDir = multiprocDir;
        }

        public String getMetricsPath() {
            return this.metricsPath;
        }

        public void setMetricsPath(String metricsPath) {
            this.metricsPath = metricsPath;
        }

        public OnBindFailure getOnBindFailure() {
            return this.onBindFailure;
        }

        public void setOnBindFailure(OnBindFailure onBindFailure) {
            this.onBindFailure = onBindFailure;
        }

        public int getBindAttempts() {
            return this.bindAttempts;
        }

        public void setBindAttempts(int bindAttempts) {
            this.bindAttempts = bindAttempts;
        }

        public Duration getBindBackoff() {
            return this.bindBackoff;
        }

        public void setBindBackoff(Duration bindBackoff) {
            this.bindBackoff = bindBackoff;
        }

        public Ssl getSsl() {
            return this.ssl;
        }

        public Auth getAuth() {
            return this.auth;
        }

        public MetricsServer getServer() {
            return this.server;
        }

    }

    /**
     * Threads, queue and network timeout of the metrics HTTP server, so that slow,
     * stalled or hostile clients cannot stall it.
     */
    public static class MetricsServer {

        /**
         * Maximum number of requests the metrics HTTP server serves at once (1-1000).
         */
        private int maxThreads = 32;

        /**
         * Maximum number of requests that wait for a thread of the metrics HTTP server
         * when all are busy (1-10000); past it a new connection is closed at once.
         */
        private int maxQueueCapacity = 512;

        /**
         * How long one request to the metrics HTTP server may spend on the network,
         * reading its request and writing its response (100ms-1h); past it its connection
         * is closed. Collecting the metrics does not count.
         */
        private Duration networkTimeout = Duration.ofSeconds(10);

        public int getMaxThreads() {
            return this.maxThreads;
        }

        public void setMaxThreads(int maxThreads) {
            this.maxThreads = maxThreads;
        }

        public int getMaxQueueCapacity() {
            return this.maxQueueCapacity;
        }

        public void setMaxQueueCapacity(int maxQueueCapacity) {
            this.maxQueueCapacity = maxQueueCapacity;
        }

        public Duration getNetworkTimeout() {
            return this.networkTimeout;
        }

        public void setNetworkTimeout(Duration networkTimeout) {
            this.networkTimeout = networkTimeout;
        }

    }

    /**
     * What the metrics server does when its port cannot be bound.
     */
    public enum OnBindFailure {

        /**
         * Fail start-up with a message naming the port and the property.
         */
        FAIL,

        /**
         * Log a warning and keep the application running without the metrics server.
         */
        WARN

    }

    /**
     * Basic authentication of the metrics server.
     */
    public static class Auth {

        /**
         * User name required by the metrics server (basic auth); unset means no
         * authentication.
         */
        private @Nullable String username;

        /**
         * Password required by the metrics server (basic auth).
         */
        private @Nullable String password;

        public @Nullable String getUsername() {
            return this.username;
        }

        public void setUsername(@Nullable String username) {
            this.username = username;
        }

        public @Nullable String getPassword() {
            return this.password;
        }

        public void setPassword(@Nullable String password) {
            this.password = password;
        }

    }

    /**
     * TLS of the metrics server. Each value is unset until configured, so that the two
     * places it can be configured can be compared.
     */
    public static class Ssl {

        /**
         * Whether the metrics server serves HTTPS; unset means enabled when both certfile
         * and keyfile are set.
         */
        private @Nullable Boolean enabled;

        /**
         * PEM certificate (chain) of the metrics server.
         */
        private @Nullable String certfile;

        /**
         * PEM private key of the metrics server.
         */
        private @Nullable String keyfile;

        /**
         * PEM file of the CAs that client certificates must chain to.
         */
        private @Nullable String clientCafile;

        /**
         * Directory of PEM files of the CAs that client certificates must chain to.
         */
        private @Nullable String clientCapath;

        /**
         * Whether a client certificate signed by the client CA is required.
         */
        private @Nullable Boolean clientAuthRequired;

        public @Nullable Boolean getEnabled() {
            return this.enabled;
        }

        public void setEnabled(@Nullable Boolean enabled) {
            this.enabled = enabled;
        }

        public @Nullable String getCertfile() {
            return this.certfile;
        }

        public void setCertfile(@Nullable String certfile) {
            this.certfile = certfile;
        }

        public @Nullable String getKeyfile() {
            return this.keyfile;
        }

        public void setKeyfile(@Nullable String keyfile) {
            this.keyfile = keyfile;
        }

        public @Nullable String getClientCafile() {
            return this.clientCafile;
        }

        public void setClientCafile(@Nullable String clientCafile) {
            this.clientCafile = clientCafile;
        }

        public @Nullable String getClientCapath() {
            return this.clientCapath;
        }

        public void setClientCapath(@Nullable String clientCapath) {
            this.clientCapath = clientCapath;
        }

        public @Nullable Boolean getClientAuthRequired() {
            return this.clientAuthRequired;
        }

        public void setClientAuthRequired(@Nullable Boolean clientAuthRequired) {
            this.clientAuthRequired = clientAuthRequired;
        }

    }

    /**
     * The original's gunicorn settings, applied to the embedded web server.
     */
    public static class Gunicorn {

        /**
         * Number of workers; drives the embedded server's maximum request threads. Unset
         * keeps the server's own default.
         */
        private @Nullable Integer workers;

        /**
         * Address and port the application listens on, as HOST:PORT or [IPv6]:PORT.
         */
        private @Nullable String bind;

        /**
         * Worker timeout; drives the embedded server's connection timeout (at least 1 s).
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration timeout = Duration.ofSeconds(30);

        /**
         * Keep-alive timeout of idle connections.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration keepalive = Duration.ofSeconds(2);

        /**
         * Worker class: sync (platform request threads), thread (same), or virtual
         * (virtual threads, Java 21+).
         */
        private String workerClass = "sync";

        public @Nullable Integer getWorkers() {
            return this.workers;
        }

        public void setWorkers(@Nullable Integer workers) {
            this.workers = workers;
        }

        public @Nullable String getBind() {
            return this.bind;
        }

        public void setBind(@Nullable String bind) {
            this.bind = bind;
        }

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        public Duration getKeepalive() {
            return this.keepalive;
        }

        public void setKeepalive(Duration keepalive) {
            this.keepalive = keepalive;
        }

        public String getWorkerClass() {
            return this.workerClass;
        }

        public void setWorkerClass(String workerClass) {
            this.workerClass = workerClass;
        }

    }

    /**
     * Redis storage, through which workers on many hosts publish their metrics.
     */
    public static class Redis {

        /**
         * Whether workers publish their metrics to Redis.
         */
        private boolean enabled;

        /**
         * Redis host, used when the application has no RedisConnectionFactory of its own.
         */
        private String host = "localhost";

        /**
         * Redis port (1-65535).
         */
        private int port = 6379;

        /**
         * Redis database index (0 or more).
         */
        private int db;

        /**
         * Redis ACL user name.
         */
        private @Nullable String username;

        /**
         * Redis password; never logged.
         */
        private @Nullable String password;

        /**
         * Prefix of every key written to Redis; may contain ':'.
         */
        private String keyPrefix = "gunicorn";

        /**
         * Time to live of a worker's keys, refreshed on each flush (0 or more).
         */
        private long ttlSeconds = 300;

        /**
         * Whether keys live forever instead of expiring after ttl-seconds.
         */
        private boolean ttlDisabled;

        /**
         * Whether to connect to Redis over TLS.
         */
        private boolean ssl;

        /**
         * Name of a Spring Boot SSL bundle (spring.ssl.bundle.*) whose trust and key
         * material the exporter's own Redis connection uses over TLS; unset trusts the
         * JVM's trust store.
         */
        private @Nullable String sslBundle;

        /**
         * Connect and command timeout of the Redis connection.
         */
        private Duration timeout = Duration.ofSeconds(2);

        public @Nullable String getSslBundle() {
            return this.sslBundle;
        }

        public void setSslBundle(@Nullable String sslBundle) {
            this.sslBundle = sslBundle;
        }

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getHost() {
            return this.host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return this.port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public int getDb() {
            return this.db;
        }

        public void setDb(int db) {
            this.db = db;
        }

        public @Nullable String getUsername() {
            return this.username;
        }

        public void setUsername(@Nullable String username) {
            this.username = username;
        }

        public @Nullable String getPassword() {
            return this.password;
        }

        public void setPassword(@Nullable String password) {
            this.password = password;
        }

        public String getKeyPrefix() {
            return this.keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        public long getTtlSeconds() {
            return this.ttlSeconds;
        }

        public void setTtlSeconds(long ttlSeconds) {
            this.ttlSeconds = ttlSeconds;
        }

        public boolean isTtlDisabled() {
            return this.ttlDisabled;
        }

        public void setTtlDisabled(boolean ttlDisabled) {
            this.ttlDisabled = ttlDisabled;
        }

        public boolean isSsl() {
            return this.ssl;
        }

        public void setSsl(boolean ssl) {
            this.ssl = ssl;
        }

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

    }

    /**
     * Clean-up of shared storage.
     */
    public static class Cleanup {

        /**
         * Whether the files of workers gone longer than exporter.storage.retention are
         * deleted from the shared directory; false never deletes a file.
         */
        private boolean dbFiles = true;

        public boolean isDbFiles() {
            return this.dbFiles;
        }

        public void setDbFiles(boolean dbFiles) {
            this.dbFiles = dbFiles;
        }

    }

    /**
     * Metric families.
     */
    public static class Metrics {

        /**
         * Prefix of every metric family name; 'gunicorn' keeps the original's dashboards
         * working.
         */
        private String prefix = "gunicorn";

        /**
         * Maximum label sets per family; past it new label sets fold into
         * endpoint="OTHER".
         */
        private int maxLabelSets = 1000;

        /**
         * Whether the request counter and histograms are labelled by method, endpoint and
         * status too (off keeps the original's exposition).
         */
        private boolean routeLabels;

        /**
         * Status label of the request families with route labels: 'code' (200) or 'class'
         * (2xx).
         */
        private StatusLabel statusLabel = StatusLabel.CODE;

        /**
         * Kind of the request duration and size histograms: 'classic' (the original's
         * buckets), 'native' (Prometheus native histograms, scraped over protobuf) or
         * 'both'.
         */
        private Histograms histograms = Histograms.CLASSIC;

        private final QueueTime queueTime = new QueueTime();

        private final NativeHistogram nativeHistogram = new NativeHistogram();

        public String getPrefix() {
            return this.prefix;
        }

        public void setPrefix(String prefix) {
            this.prefix = prefix;
        }

        public int getMaxLabelSets() {
            return this.maxLabelSets;
        }

        public void setMaxLabelSets(int maxLabelSets) {
            this.maxLabelSets = maxLabelSets;
        }

        public boolean isRouteLabels() {
            return this.routeLabels;
        }

        public void setRouteLabels(boolean routeLabels) {
            this.routeLabels = routeLabels;
        }

        public StatusLabel getStatusLabel() {
            return this.statusLabel;
        }

        public void setStatusLabel(StatusLabel statusLabel) {
            this.statusLabel = statusLabel;
        }

        public Histograms getHistograms() {
            return this.histograms;
        }

        public void setHistograms(Histograms histograms) {
            this.histograms = histograms;
        }

        public QueueTime getQueueTime() {
            return this.queueTime;
        }

        public NativeHistogram getNativeHistogram() {
            return this.nativeHistogram;
        }

        /**
         * Kind of the request histograms.
         */
        public enum Histograms {

            /**
             * Classic buckets only, as the original.
             */
            CLASSIC,

            /**
             * A native histogram only.
             */
            NATIVE,

            /**
             * Classic buckets and a native histogram in one family, as client_java does.
             */
            BOTH

        }

        /**
         * The native request histograms (exporter.metrics.histograms 'native' or 'both').
         */
        public static class NativeHistogram {

            /**
             * Schema the native histograms start at, from -4 to 8: bucket bounds grow by
             * 2^(2^-schema), so 5 is about 2% and 8 about 0.3% wide.
             */
            private int initialSchema = 5;

            /**
             * Width of the native histograms' zero bucket: values within it of zero count
             * as zero (default 2^-128, client_java's).
             */
            // Not the literal 0x1p-128: the metadata would print it as the compiling JDK
            // does (2.9387358770557188e-39 on 17, 2.938735877055719e-39 on 19+), and the
            // documented table could not match on both.
            private double zeroThreshold = Math.scalb(1.0, -128);

            /**
             * Maximum buckets of one native histogram data point; past it the schema is
             * reduced, merging neighbouring buckets.
             */
            private int maxBuckets = 160;

            public int getInitialSchema() {
                return this.initialSchema;
            }

            public void setInitialSchema(int initialSchema) {
                this.initialSchema = initialSchema;
            }

            public double getZeroThreshold() {
                return this.zeroThreshold;
            }

            public void setZeroThreshold(double zeroThreshold) {
                this.zeroThreshold = zeroThreshold;
            }

            public int getMaxBuckets() {
                return this.maxBuckets;
            }

            public void setMaxBuckets(int maxBuckets) {
                this.maxBuckets = maxBuckets;
            }

        }

        /**
         * How the status label of a request is written.
         */
        public enum StatusLabel {

            /**
             * The status code, such as 200.
             */
            CODE,

            /**
             * The status class, such as 2xx.
             */
            CLASS

        }

        /**
         * Time requests waited between the load balancer and this worker.
         */
        public static class QueueTime {

            /**
             * Whether to record the time between the load balancer's request start header
             * and the start of the request.
             */
            private boolean enabled;

            /**
             * Request start headers to read ('t=' and a time since the epoch in s, ms or
             * µs); the first present wins.
             */
            private List<String> headers = new ArrayList<>(List.of("X-Request-Start", "X-Queue-Start"));

            public boolean isEnabled() {
                return this.enabled;
            }

            public void setEnabled(boolean enabled) {
                this.enabled = enabled;
            }

            public List<String> getHeaders() {
                return this.headers;
            }

            public void setHeaders(List<String> headers) {
                this.headers = headers;
            }

        }

    }

    /**
     * This worker (one JVM).
     */
    public static class Worker {

        /**
         * Identity of this worker in every series and in shared storage; default is host
         * name and pid. The pod name is a typical override.
         */
        private @Nullable String id;

        public @Nullable String getId() {
            return this.id;
        }

        public void setId(@Nullable String id) {
            this.id = id;
        }

    }

    /**
     * Lifecycle hooks.
     */
    public static class Hooks {

        /**
         * Whether a failing hook fails start-up instead of being logged and skipped.
         */
        private boolean failFast;

        public boolean isFailFast() {
            return this.failFast;
        }

        public void setFailFast(boolean failFast) {
            this.failFast = failFast;
        }

    }

    /**
     * Child processes of the JVM.
     */
    public static class Process {

        /**
         * How long child processes get after TERM before they are killed at exit.
         */
        private Duration timeout = Duration.ofSeconds(5);

        public Duration getTimeout() {
            return this.timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

    }

    /**
     * Shared storage: how workers publish their metrics and how scrapes merge them.
     */
    public static class Storage {

        /**
         * How often a worker writes its cumulative values to shared storage.
         */
        private Duration flushInterval = Duration.ofSeconds(1);

        /**
         * How long a worker may go without a flush before it counts as lost.
         */
        private Duration heartbeatTimeout = Duration.ofSeconds(15);

        /**
         * How long the data of a stopped or lost worker stays in the file store before it
         * is swept.
         */
        private Duration retention = Duration.ofMinutes(5);

        /**
         * Name patterns ('*' wildcard) of the application's own meters to publish; empty
         * means all.
         */
        private List<String> include = new ArrayList<>();

        /**
         * Name patterns ('*' wildcard) of meters not to publish.
         */
        private List<String> exclude = new ArrayList<>();

        /**
         * Multiprocess mode per gauge family name, as prometheus_client's: all, liveall,
         * sum, livesum, max, min, mostrecent.
         */
        private Map<String, GaugeMode> gaugeModes = new LinkedHashMap<>();

        /**
         * What the merged view serves: one series per worker (per-worker), or the fleet's
         * sums without worker_id, whose number of series does not grow with the number of
         * workers (fleet).
         */
        private View view = View.PER_WORKER;

        public Duration getFlushInterval() {
            return this.flushInterval;
        }

        public void setFlushInterval(Duration flushInterval) {
            this.flushInterval = flushInterval;
        }

        public Duration getHeartbeatTimeout() {
            return this.heartbeatTimeout;
        }

        public void setHeartbeatTimeout(Duration heartbeatTimeout) {
            this.heartbeatTimeout = heartbeatTimeout;
        }

        public Duration getRetention() {
            return this.retention;
        }

        public void setRetention(Duration retention) {
            this.retention = retention;
        }

        public List<String> getInclude() {
            return this.include;
        }

        public void setInclude(List<String> include) {
            this.include = include;
        }

        public List<String> getExclude() {
            return this.exclude;
        }

        public void setExclude(List<String> exclude) {
            this.exclude = exclude;
        }

        public Map<String, GaugeMode> getGaugeModes() {
            return this.gaugeModes;
        }

        public void setGaugeModes(Map<String, GaugeMode> gaugeModes) {
            this.gaugeModes = gaugeModes;
        }

        public View getView() {
            return this.view;
        }

        public void setView(View view) {
            this.view = view;
        }

    }

    /**
     * What the merged view of shared storage serves.
     */
    public enum View {

        /**
         * One series per worker, labelled worker_id (the original's exposition).
         */
        PER_WORKER,

        /**
         * The fleet's sums, worker_id dropped; the master families stay per worker.
         */
        FLEET

    }

    /**
     * A metrics-only sidecar that serves the shared store.
     */
    public static class Sidecar {

        /**
         * Whether this process is a sidecar: it serves only the metrics server, reading
         * the file or Redis store.
         */
        private boolean enabled;

        /**
         * How often the sidecar's own gauges are refreshed.
         */
        @DurationUnit(ChronoUnit.SECONDS)
        private Duration updateInterval = Duration.ofSeconds(30);

        public boolean isEnabled() {
            return this.enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getUpdateInterval() {
            return this.updateInterval;
        }

        public void setUpdateInterval(Duration updateInterval) {
            this.updateInterval = updateInterval;
        }

    }

}
