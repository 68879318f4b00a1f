package io.github.workerexporter.autoconfigure;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.environment.ExporterConfigLoader;
import io.github.workerexporter.environment.OriginalEnvironmentVariables;
import io.github.workerexporter.environment.OriginalEnvironmentVariables.Source;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
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
    private static final List<String> EXPORTER_REDIS_CONNECTION = List.of("host", "port", "db", "username", "password",
            "ssl", "ssl-bundle");

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
        // The starter brings Spring Data Redis whether the exporter is on or off.
        disableUnusedRedisHealth(environment);
        if ("false".equalsIgnoreCase(environment.getProperty("exporter.enabled"))) {
            return;
        }
        String file = configFile(environment, system);
        if (file != null) {
            addAfter(sources, anchor, ExporterConfigLoader.propertySource(CONFIG_FILE_SOURCE, Path.of(file)));
        }
    }

    /**
     * The starter brings Spring Data Redis, whose health indicator checks the
     * application's connection ({@code spring.data.redis.*}, by default localhost:6379)
     * and reports DOWN when no Redis runs there. When neither the application nor the
     * exporter uses that connection (the exporter uses a connection of its own when one
     * of {@code exporter.redis.host}, {@code port}, ... is set, as
     * RedisStorageConfiguration decides), that indicator is off by default; an explicit
     * setting wins. The exporter's own store has the {@code exporter} component.
     */
    private static void disableUnusedRedisHealth(ConfigurableEnvironment environment) {
        Binder binder = Binder.get(environment);
        boolean applicationUsesRedis = binder.bind("spring.data.redis", Bindable.mapOf(String.class, Object.class))
            .isBound();
        boolean exporterUsesApplicationRedis = binder.bind("exporter.redis.enabled", Boolean.class).orElse(false)
                && EXPORTER_REDIS_CONNECTION.stream()
                    .noneMatch((name) -> binder.bind("exporter.redis." + name, Bindable.of(String.class)).isBound());
        if (!applicationUsesRedis && !exporterUsesApplicationRedis) {
            environment.getPropertySources()
                .addLast(new MapPropertySource(DEFAULTS_SOURCE, Map.of("management.health.redis.enabled", "false")));
        }
    }

    private static @Nullable String configFile(ConfigurableEnvironment environment,
            @Nullable PropertySource<?> system) {
        String file = environment.getProperty("exporter.config-file");
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
