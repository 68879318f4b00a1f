package io.github.workerexporter.autoconfigure;

import java.util.List;
import java.util.Map;

import io.github.workerexporter.environment.WorkerIdentity;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.ExporterLifecycle;
import io.github.workerexporter.hooks.HookManager;
import io.github.workerexporter.hooks.HookManager.NamedHook;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of Worker Exporter: the worker's identity, the hooks and their
 * lifecycle, and (through the imported configurations) the four managers and the metrics.
 * {@code exporter.enabled=false} turns all of it off.
 *
 * @author Worker Exporter
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration",
        "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "exporter.enabled", matchIfMissing = true)
@EnableConfigurationProperties(ExporterProperties.class)
@Import({ EmbeddedServerConfiguration.class, ProcessConfiguration.class, MetricsServerConfiguration.class,
        RequestMetricsConfiguration.class, WorkerStateConfiguration.class, SaturationConfiguration.class,
        StorageConfiguration.class, RedisStorageConfiguration.class })
public final class WorkerExporterAutoConfiguration {

    WorkerExporterAutoConfiguration(ExporterProperties properties) {
        ExporterPropertiesValidator.validate(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    WorkerIdentity workerIdentity(ExporterProperties properties) {
        return WorkerIdentity.current(properties.getWorker().getId());
    }

    @Bean
    @ConditionalOnMissingBean
    WorkerLifecycle workerLifecycle() {
        return new WorkerLifecycle();
    }

    @Bean
    @ConditionalOnMissingBean
    HookManager hookManager(ExporterProperties properties, ObjectProvider<ExporterHook> hooks,
            ApplicationContext context) {
        Map<String, ExporterHook> byName = context.getBeansOfType(ExporterHook.class, false, false);
        List<NamedHook> named = hooks.orderedStream().map((hook) -> new NamedHook(nameOf(byName, hook), hook)).toList();
        return new HookManager(named, properties.getHooks().isFailFast());
    }

    @Bean
    @ConditionalOnMissingBean
    ExporterLifecycle exporterLifecycle(HookManager hookManager, ApplicationContext context, WorkerIdentity worker) {
        return new ExporterLifecycle(hookManager, context, worker,
                StorageMode.decide(context.getEnvironment()).mode() == StorageMode.REDIS);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.web.server.context.WebServerInitializedEvent")
    static class WebServerHookConfiguration {

        @Bean
        ApplicationListener<WebServerInitializedEvent> exporterPostForkTrigger(ExporterLifecycle lifecycle) {
            return (event) -> {
                // The application's own server; a management server has the namespace
                // "management".
                if (event.getApplicationContext().getServerNamespace() == null) {
                    lifecycle.webServerBound(event.getWebServer().getPort());
                }
            };
        }

    }

    private static String nameOf(Map<String, ExporterHook> byName, ExporterHook hook) {
        return byName.entrySet()
            .stream()
            .filter((entry) -> entry.getValue() == hook)
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseGet(() -> hook.getClass().getName());
    }

}
