package io.github.workerexporter.autoconfigure;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.environment.ExporterConfigFileException;
import io.github.workerexporter.environment.ExporterConfigLoader;
import io.github.workerexporter.environment.OriginalEnvironmentVariables;
import io.github.workerexporter.environment.OriginalEnvironmentVariables.Source;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.beans.BeansException;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.util.StringUtils;

/**
 * Adds the original's configuration to the environment, each at its level of precedence:
 * command-line options, then environment variables (Spring's own forms, then the
 * original's {@code PROMETHEUS_*}, {@code REDIS_*}, {@code GUNICORN_*} names), then the
 * YAML file named by {@code exporter.config-file} ({@code EXPORTER_CONFIG_FILE},
 * {@code PROMETHEUS_CONFIG_FILE}), then {@code application.yml}, then the defaults.
 *
 * @author Worker Exporter
 */
public class ExporterEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    /**
     * Name of the property source of the original's environment variables.
     */
    public static final String ENVIRONMENT_SOURCE = "exporterOriginalEnvironment";

    /**
     * Name of the property source of the configuration file.
     */
    public static final String CONFIG_FILE_SOURCE = "exporterConfigFile";

    /**
     * Name of the lowest-precedence source of the exporter's defaults for other settings.
     */
    public static final String DEFAULTS_SOURCE = "exporterDefaults";

    /**
     * The properties that give the exporter a Redis connection of its own (those of
     * RedisStorageConfiguration).
     */
    /**
     * Name of the highest-precedence source of the switches, normalized to
     * {@code true}/{@code false}.
     */
    public static final String SWITCHES_SOURCE = "exporterSwitches";

    /**
     * The boolean properties that turn configurations on or off, each with its default.
     * Spring Boot's conditions compare them with {@code true} as text, while binding
     * accepts {@code 1}, {@code yes} and {@code on} too: normalized here, so that a
     * configuration is on exactly when its property binds to {@code true}.
     */
    private static final Map<String, Boolean> SWITCHES = Map.of("exporter.enabled", true, "exporter.redis.enabled",
            false, "exporter.sidecar.enabled", false);

    /**
     * Runs after the application's own configuration files are loaded.
     */
    public static final int ORDER = ConfigDataEnvironmentPostProcessor.ORDER + 10;

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        MutablePropertySources sources = environment.getPropertySources();
        PropertySource<?> system = sources.get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        String anchor = (system != null) ? system.getName() : null;
        Map<String, Object> variables = new LinkedHashMap<>();
        OriginalEnvironmentVariables.resolve((name) -> variable(system, name))
            .forEach((property, source) -> variables.put(property, tracked(source)));
        if (!variables.isEmpty()) {
            addAfter(sources, anchor, new OriginTrackedMapPropertySource(ENVIRONMENT_SOURCE, variables, true));
            anchor = ENVIRONMENT_SOURCE;
        }
        if (Boolean.FALSE.equals(Binder.get(environment).bind("exporter.enabled", Boolean.class).orElse(true))) {
            normalizeSwitches(environment);
            // The starter brings Spring Data Redis whether the exporter is on or off.
            disableUnusedRedisHealth(environment);
            return;
        }
        String file = configFile(environment, system);
        if (file != null) {
            Path path = path(file);
            OriginTrackedMapPropertySource source = ExporterConfigLoader.propertySource(CONFIG_FILE_SOURCE, path);
            checkShapes(path, source);
            addAfter(sources, anchor, source);
        }
        checkPlaceholders(environment);
        normalizeSwitches(environment);
        disableUnusedRedisHealth(environment);
    }

    /**
     * Fail for an {@code exporter.*} value with a placeholder that cannot be resolved:
     * binding would take it literally, while a condition reading the same property fails
     * without naming it.
     */
    private static void checkPlaceholders(ConfigurableEnvironment environment) {
        ConfigurationPropertyName exporter = ConfigurationPropertyName.of("exporter");
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            for (ConfigurationPropertyName name : iterable) {
                if (!exporter.isAncestorOf(name)) {
                    continue;
                }
                ConfigurationProperty property = iterable.getConfigurationProperty(name);
                if (property != null && property.getValue() instanceof String value && value.contains("${")) {
                    try {
                        environment.resolveRequiredPlaceholders(value);
                    }
                    catch (IllegalArgumentException ex) {
                        throw new InvalidExporterPropertyException(name.toString(), value,
                                "it has a placeholder that cannot be resolved (" + ex.getMessage() + ")",
                                "a value without '${', or a placeholder whose property is set", ex);
                    }
                }
            }
        }
    }

    /**
     * Rewrite each switch that is set as the {@code true} or {@code false} it binds to
     * ({@code on}, {@code 1}, {@code YES}...), and a blank one as its default; a value
     * that is not a boolean fails here, with the property and its origin named.
     */
    private static void normalizeSwitches(ConfigurableEnvironment environment) {
        Binder binder = Binder.get(environment);
        Map<String, Object> normalized = new LinkedHashMap<>();
        SWITCHES.forEach((name, defaultValue) -> {
            BindResult<Boolean> bound = binder.bind(name, Boolean.class);
            if (bound.isBound() || environment.containsProperty(name)) {
                normalized.put(name, bound.orElse(defaultValue).toString());
            }
        });
        MutablePropertySources sources = environment.getPropertySources();
        sources.remove(SWITCHES_SOURCE);
        if (!normalized.isEmpty()) {
            sources.addFirst(new MapPropertySource(SWITCHES_SOURCE, normalized));
        }
    }

    /**
     * The starter brings Spring Data Redis, whose health indicator checks the
     * application's connection ({@code spring.data.redis.*}, by default localhost:6379)
     * and reports DOWN when no Redis runs there. When neither the application nor the
     * exporter uses that connection (the exporter uses a connection of its own when one
     * of {@code exporter.redis.host}, {@code port}, ... is set, as StorageMode decides),
     * that indicator is off by default; an explicit setting wins. The exporter's own
     * store has the {@code exporter} component.
     */
    private static void disableUnusedRedisHealth(ConfigurableEnvironment environment) {
        Binder binder = Binder.get(environment);
        boolean applicationUsesRedis = binder.bind("spring.data.redis", Bindable.mapOf(String.class, Object.class))
            .isBound();
        StorageMode storage = StorageMode.decide(environment).mode();
        boolean exporterUsesApplicationRedis = storage == StorageMode.REDIS
                && !StorageMode.ownRedisConnection(environment);
        if (!applicationUsesRedis && !exporterUsesApplicationRedis) {
            environment.getPropertySources()
                .addLast(new MapPropertySource(DEFAULTS_SOURCE, Map.of("management.health.redis.enabled", "false")));
        }
    }

    private static Path path(String file) {
        try {
            return Path.of(file);
        }
        catch (InvalidPathException ex) {
            throw new InvalidExporterPropertyException("exporter.config-file", file,
                    "not a valid path: " + ex.getReason(),
                    "the path of a readable YAML file (EXPORTER_CONFIG_FILE, PROMETHEUS_CONFIG_FILE), or unset", ex);
        }
    }

    /**
     * Refuse a list or mapping where the exporter takes one value
     * ({@code metrics_port: [9091, 9092]}), which binding would silently ignore. Keys the
     * exporter does not know are ignored, as by the original.
     */
    private static void checkShapes(Path file, OriginTrackedMapPropertySource source) {
        BeanWrapperImpl defaults = new BeanWrapperImpl(new ExporterProperties());
        for (String key : source.getPropertyNames()) {
            String[] parts = key.substring("exporter.".length()).split("[.\\[]");
            StringBuilder path = new StringBuilder();
            StringBuilder name = new StringBuilder("exporter");
            for (int i = 0; i < parts.length; i++) {
                path.append((i > 0) ? "." : "").append(camelCase(parts[i]));
                name.append('.').append(parts[i]);
                Class<?> type = typeOf(defaults, path.toString());
                boolean last = i == parts.length - 1;
                if (type == null || (last && key.endsWith("]"))) {
                    break;
                }
                boolean single = BeanUtils.isSimpleValueType(type) || type == Duration.class;
                if (!last && single) {
                    throw wrongShape(file, source, key, "'" + name + "' takes one value, not a list or mapping");
                }
                if (last && !single && !Collection.class.isAssignableFrom(type)) {
                    throw wrongShape(file, source, key, "'" + name + "' is a section (a mapping), not one value");
                }
            }
        }
    }

    private static ExporterConfigFileException wrongShape(Path file, OriginTrackedMapPropertySource source, String key,
            String reason) {
        Origin origin = source.getOrigin(key);
        TextResourceOrigin.Location location = (origin instanceof TextResourceOrigin text) ? text.getLocation() : null;
        String where = (location != null)
                ? " at line " + (location.getLine() + 1) + ", column " + (location.getColumn() + 1) : "";
        return new ExporterConfigFileException(file, reason + " (found '" + key + "'" + where + ")");
    }

    private static @Nullable Class<?> typeOf(BeanWrapperImpl properties, String path) {
        try {
            return properties.isReadableProperty(path) ? properties.getPropertyType(path) : null;
        }
        catch (BeansException ex) {
            return null;
        }
    }

    private static String camelCase(String key) {
        StringBuilder camel = new StringBuilder();
        boolean upper = false;
        for (char c : key.toCharArray()) {
            if (c == '-' || c == '_') {
                upper = true;
            }
            else {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return camel.toString();
    }

    private static @Nullable String configFile(ConfigurableEnvironment environment,
            @Nullable PropertySource<?> system) {
        // Bound, not read: an unresolvable placeholder stays as it is and names no file.
        String file = Binder.get(environment).bind("exporter.config-file", String.class).orElse(null);
        if (StringUtils.hasText(file)) {
            return file.trim();
        }
        for (String name : OriginalEnvironmentVariables.CONFIG_FILE_VARIABLES) {
            String value = variable(system, name);
            if (StringUtils.hasText(value)) {
                return value.trim();
            }
        }
        return null;
    }

    private static @Nullable String variable(@Nullable PropertySource<?> system, String name) {
        Object value = (system != null) ? system.getProperty(name) : null;
        return (value != null) ? value.toString() : null;
    }

    private static Object tracked(Source source) {
        return OriginTrackedValue.of(source.value(), new SystemEnvironmentOrigin(source.variable()));
    }

    private static void addAfter(MutablePropertySources sources, @Nullable String anchor, PropertySource<?> source) {
        if (anchor != null && sources.contains(anchor)) {
            sources.addAfter(anchor, source);
        }
        else {
            sources.addFirst(source);
        }
    }

}
