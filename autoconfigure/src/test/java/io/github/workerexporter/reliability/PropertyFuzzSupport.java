package io.github.workerexporter.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.github.workerexporter.autoconfigure.ExporterProperties;
import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;
import io.github.workerexporter.environment.OriginalEnvironmentVariables;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanWrapperImpl;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

/**
 * Runs one fuzz case: a real application started in-process with some {@code exporter.*}
 * properties and some of the original's environment variables (fed through the
 * environment's system-environment property source, which is where
 * {@code ExporterEnvironmentPostProcessor} reads them), with the metrics server on any
 * free port. The case passes when the application either starts and every value set is
 * the one bound, or fails with a failure analysis (ours or Spring Boot's, from
 * {@code spring.factories}) that names the property or variable, leaving no port
 * listening, no {@code exporter-*} thread and no child process behind.
 *
 * @author Worker Exporter
 */
final class PropertyFuzzSupport {

    private static final Pattern SOCKET = Pattern.compile("socket:\\[(\\d+)]");

    private final Path dir;

    PropertyFuzzSupport(Path dir) {
        this.dir = dir;
    }

    /**
     * The {@code exporter.*} properties of the configuration metadata on the class path
     * (the generated metadata, merged with the additional metadata), with their types.
     * @return property name to type, in metadata order
     */
    @SuppressWarnings("unchecked")
    static Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        try (InputStream in = PropertyFuzzSupport.class
            .getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            Map<String, Object> metadata = JsonParserFactory.getJsonParser()
                .parseMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            for (Map<String, Object> property : (List<Map<String, Object>>) metadata.get("properties")) {
                String name = (String) property.get("name");
                if (name.startsWith("exporter.")) {
                    properties.put(name, (String) property.get("type"));
                }
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return properties;
    }

    /**
     * One fuzz case.
     *
     * @param properties properties set (as the application's default properties)
     * @param variables environment variables set
     */
    record Case(Map<String, String> properties, Map<String, String> variables) {

        static Case property(String name, String value) {
            return new Case(Map.of(name, value), Map.of());
        }

        static Case variable(String name, String value) {
            return new Case(Map.of(), Map.of(name, value));
        }

        /** The names a failure analysis may name: the properties and variables set. */
        Set<String> names() {
            Set<String> names = new HashSet<>(this.properties.keySet());
            names.addAll(this.variables.keySet());
            return names;
        }

        @Override
        public String toString() {
            return "properties " + escape(this.properties) + ", variables " + escape(this.variables);
        }

        private static String escape(Map<String, String> values) {
            return values.entrySet()
                .stream()
                .map((entry) -> entry.getKey() + "=" + shorten(entry.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
        }

        private static String shorten(String value) {
            String escaped = value.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
            return (escaped.length() > 60) ? escaped.substring(0, 60) + "...(" + value.length() + " chars)"
                    : "'" + escaped + "'";
        }

    }

    /**
     * Run a case; every problem found is added to {@code problems}.
     * @param fuzzCase the case
     * @param expectations the property each variable sets
     * @param problems where problems are collected
     * @return whether the application started, and the failure analysis if not
     */
    Outcome run(Case fuzzCase, Map<String, List<String>> expectations, List<String> problems) {
        Set<Long> listening = listeningSockets();
        Set<Thread> threads = exporterThreads();
        Set<Long> children = children();
        boolean started;
        String analysis = null;
        StandardEnvironment environment = withVariables(new LinkedHashMap<>(fuzzCase.variables()));
        try (ConfigurableApplicationContext context = start(fuzzCase, environment)) {
            started = true;
            checkBound(fuzzCase, context, problems);
        }
        catch (Throwable failure) {
            started = false;
            analysis = checkAnalysed(fuzzCase, expectations, failure, environment, problems);
        }
        checkNothingLeft(fuzzCase, started, listening, threads, children, problems);
        return new Outcome(started, analysis);
    }

    /**
     * What became of a case.
     *
     * @param started whether the application started
     * @param analysis the failure analysis (description and action), if it failed with
     * one
     */
    record Outcome(boolean started, @Nullable String analysis) {
    }

    private ConfigurableApplicationContext start(Case fuzzCase, StandardEnvironment environment) {
        // The logging system stays as it is: initializing it again for each of hundreds
        // of
        // start-ups would be most of their time.
        String loggingSystem = System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
        try {
            return build(fuzzCase, environment).run();
        }
        finally {
            if (loggingSystem != null) {
                System.setProperty(LoggingSystem.SYSTEM_PROPERTY, loggingSystem);
            }
            else {
                System.clearProperty(LoggingSystem.SYSTEM_PROPERTY);
            }
        }
    }

    private SpringApplicationBuilder build(Case fuzzCase, StandardEnvironment environment) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("spring.main.banner-mode", "off");
        defaults.put("spring.config.location", "optional:classpath:/none/");
        defaults.put("exporter.prometheus.metrics-port", "0");
        defaults.put("exporter.prometheus.bind-address", "127.0.0.1");
        defaults.put("exporter.prometheus.bind-attempts", "1");
        defaults.put("exporter.prometheus.bind-backoff", "0s");
        defaults.put("exporter.redis.timeout", "200ms");
        defaults.put("server.port", "0");
        defaults.putAll(fuzzCase.properties());
        // The embedded server's settings are checked on a real Tomcat.
        boolean web = fuzzCase.names()
            .stream()
            .anyMatch((name) -> name.startsWith("exporter.gunicorn.") || name.startsWith("GUNICORN_"));
        return new SpringApplicationBuilder(web ? WebFuzzApp.class : FuzzApp.class)
            .web(web ? WebApplicationType.SERVLET : WebApplicationType.NONE)
            .environment(environment)
            .registerShutdownHook(false)
            .properties(defaults)
            .logStartupInfo(false);
    }

    private static StandardEnvironment withVariables(Map<String, Object> variables) {
        return new StandardEnvironment() {

            @Override
            protected void customizePropertySources(MutablePropertySources sources) {
                super.customizePropertySources(sources);
                sources.replace(SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new SystemEnvironmentPropertySource(SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
            }

        };
    }

    private void checkBound(Case fuzzCase, ConfigurableApplicationContext context, List<String> problems) {
        // The case's properties are the application's default properties, the lowest
        // precedence: an original variable mapped to the same property wins over them,
        // as an environment variable wins over application.yml.
        Map<String, String> expected = new LinkedHashMap<>(fuzzCase.properties());
        fuzzCase.variables()
            .forEach((variable, value) -> OriginalEnvironmentVariables.mapping()
                .getOrDefault(variable, List.of())
                .forEach((property) -> expected.put(property, value)));
        String enabled = expected.get("exporter.enabled");
        if (context.getBeanNamesForType(ExporterProperties.class).length == 0) {
            if (enabled == null || !"false".equals(convert(enabled, Boolean.class))) {
                problems.add(fuzzCase + ": started without the exporter");
            }
            return;
        }
        ExporterProperties bound = context.getBean(ExporterProperties.class);
        BeanWrapperImpl actual = new BeanWrapperImpl(bound);
        BeanWrapperImpl defaults = new BeanWrapperImpl(new ExporterProperties());
        expected.forEach((property, value) -> {
            String path = beanPath(property);
            if (path == null || !actual.isReadableProperty(path)) {
                return;
            }
            TypeDescriptor type = actual.getPropertyTypeDescriptor(path);
            if (type.isPrimitive()) {
                // Blank binds as unset, keeping the default.
                type = TypeDescriptor.valueOf(ClassUtils.resolvePrimitiveIfNecessary(type.getType()));
            }
            Object want;
            try {
                want = ApplicationConversionService.getSharedInstance()
                    .convert(value, TypeDescriptor.valueOf(String.class), type);
            }
            catch (RuntimeException ex) {
                problems.add(fuzzCase + ": started although '" + property + "' does not convert to "
                        + type.getType().getSimpleName() + " (" + ex.getMessage() + ")");
                return;
            }
            if (want == null) {
                want = defaults.getPropertyValue(path);
            }
            Object got = actual.getPropertyValue(path);
            if (!String.valueOf(want).equals(String.valueOf(got))) {
                problems.add(fuzzCase + ": '" + property + "' bound to '" + got + "', expected '" + want + "'");
            }
        });
        // The conditions on these switches agree with the bound values.
        if (context.containsBean("redisStorageReadyHook") != bound.getRedis().isEnabled()) {
            problems.add(fuzzCase + ": exporter.redis.enabled is " + bound.getRedis().isEnabled()
                    + " but Redis storage is " + (bound.getRedis().isEnabled() ? "not configured" : "configured"));
        }
        if (context.containsBean("sidecarKeepAlive") != bound.getSidecar().isEnabled()) {
            problems.add(fuzzCase + ": exporter.sidecar.enabled is " + bound.getSidecar().isEnabled()
                    + " but the sidecar is " + (bound.getSidecar().isEnabled() ? "not configured" : "configured"));
        }
    }

    private static Object convert(String value, Class<?> type) {
        try {
            return String.valueOf(ApplicationConversionService.getSharedInstance().convert(value, type));
        }
        catch (RuntimeException ex) {
            return "unconvertible";
        }
    }

    private @Nullable String checkAnalysed(Case fuzzCase, Map<String, List<String>> expectations, Throwable failure,
            Environment environment, List<String> problems) {
        FailureAnalysis analysis = analyze(failure, environment);
        if (analysis == null) {
            problems.add(fuzzCase + ": failed without a failure analysis: " + rootCause(failure));
            return null;
        }
        String text = analysis.getDescription() + "\n" + analysis.getAction();
        Set<String> names = new HashSet<>(fuzzCase.names());
        fuzzCase.variables()
            .keySet()
            .forEach((variable) -> names.addAll(expectations.getOrDefault(variable, List.of())));
        // A configuration file is named by its path, or by the property at fault in it.
        fuzzCase.variables()
            .forEach((variable, value) -> names
                .add(OriginalEnvironmentVariables.CONFIG_FILE_VARIABLES.contains(variable) ? value : variable));
        boolean named = names.stream()
            .anyMatch((name) -> text.contains(name) || text.contains(snakeCase(name)) || text.contains(section(name)));
        if (!named) {
            problems.add(fuzzCase + ": the analysis names none of " + names + ": " + text.replace("\n", " / "));
        }
        if (!StringUtils.hasText(analysis.getAction())) {
            problems.add(fuzzCase + ": the analysis has no action: " + analysis.getDescription());
        }
        return text;
    }

    /**
     * The analysis a user would see: the first of the failure analyzers registered in
     * {@code spring.factories} (ours and Spring Boot's) that recognises the failure,
     * given the environment as Spring Boot gives it.
     */
    private static @Nullable FailureAnalysis analyze(Throwable failure, Environment environment) {
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
            .load(FailureAnalyzer.class,
                    ArgumentResolver.of(BeanFactory.class, null).and(Environment.class, environment),
                    FailureHandler.logging(LogFactory.getLog(PropertyFuzzSupport.class)));
        AnnotationAwareOrderComparator.sort(analyzers);
        for (FailureAnalyzer analyzer : analyzers) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null) {
                return analysis;
            }
        }
        return null;
    }

    private void checkNothingLeft(Case fuzzCase, boolean started, Set<Long> listening, Set<Thread> threads,
            Set<Long> children, List<String> problems) {
        String when = started ? "after close" : "after the failed start-up";
        Set<Long> ports = listeningSockets();
        ports.removeAll(listening);
        if (!ports.isEmpty()) {
            problems.add(fuzzCase + ": " + ports.size() + " listening socket(s) left " + when);
        }
        Set<Thread> alive = awaitThreadsGone(threads);
        if (!alive.isEmpty()) {
            problems.add(fuzzCase + ": thread(s) left " + when + ": "
                    + alive.stream().map(Thread::getName).collect(Collectors.joining(", ")));
        }
        Set<Long> processes = children();
        processes.removeAll(children);
        if (!processes.isEmpty()) {
            problems.add(fuzzCase + ": child process(es) left " + when + ": " + processes);
        }
    }

    private static Set<Thread> awaitThreadsGone(Set<Thread> before) {
        Set<Thread> alive = exporterThreads();
        alive.removeAll(before);
        for (int i = 0; i < 100 && !alive.isEmpty(); i++) {
            try {
                Thread.sleep(20);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
            alive.removeIf((thread) -> !thread.isAlive());
        }
        return alive;
    }

    private static Set<Thread> exporterThreads() {
        return Thread.getAllStackTraces()
            .keySet()
            .stream()
            .filter((thread) -> thread.isAlive() && thread.getName().startsWith("exporter-"))
            .collect(Collectors.toCollection(HashSet::new));
    }

    private static Set<Long> children() {
        return ProcessHandle.current()
            .children()
            .filter(ProcessHandle::isAlive)
            .map(ProcessHandle::pid)
            .collect(Collectors.toCollection(HashSet::new));
    }

    /**
     * The inodes of the TCP sockets this JVM listens on, from {@code /proc}.
     * @return the inodes
     */
    static Set<Long> listeningSockets() {
        Set<Long> own = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach((fd) -> {
                try {
                    Matcher matcher = SOCKET.matcher(Files.readSymbolicLink(fd).toString());
                    if (matcher.matches()) {
                        own.add(Long.parseLong(matcher.group(1)));
                    }
                }
                catch (IOException ex) {
                    // closed meanwhile
                }
            });
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Set<Long> listening = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 9 && "0A".equals(fields[3]) && own.contains(Long.parseLong(fields[9]))) {
                        listening.add(Long.parseLong(fields[9]));
                    }
                }
            }
            catch (IOException ex) {
                // no IPv6
            }
        }
        return listening;
    }

    private static String rootCause(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString().replace("\n", "\\n");
    }

    /**
     * The path of a property in {@link ExporterProperties}:
     * {@code exporter.prometheus.metrics-port} is {@code prometheus.metricsPort}.
     */
    private static @Nullable String beanPath(String property) {
        if (!property.startsWith("exporter.")) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String part : property.substring("exporter.".length()).split("\\.")) {
            StringBuilder camel = new StringBuilder();
            boolean upper = false;
            for (char c : part.toCharArray()) {
                if (c == '-' || c == '_') {
                    upper = true;
                }
                else {
                    camel.append(upper ? Character.toUpperCase(c) : c);
                    upper = false;
                }
            }
            parts.add(camel.toString());
        }
        return String.join(".", parts);
    }

    /**
     * The section of a property, the metrics server's two TLS sections as one: an
     * analysis may name the property of the section that has to change, such as the
     * certificate file when TLS is enabled without one.
     */
    private static String section(String name) {
        String normalized = name.replace("exporter.prometheus.ssl.", "exporter.ssl.");
        return normalized.startsWith("exporter.ssl.") ? "'exporter.ssl." : "\u0000" + name;
    }

    private static String snakeCase(String name) {
        return name.replace('-', '_');
    }

    Path dir() {
        return this.dir;
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(WorkerExporterAutoConfiguration.class)
    static class FuzzApp {

        @Bean
        PrometheusRegistry prometheusRegistry() {
            return new PrometheusRegistry();
        }

    }

    /**
     * A servlet application on Tomcat, for the cases of the embedded server's settings.
     */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @ImportAutoConfiguration(WorkerExporterAutoConfiguration.class)
    static class WebFuzzApp {

        @Bean
        PrometheusRegistry prometheusRegistry() {
            return new PrometheusRegistry();
        }

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }

    }

}
