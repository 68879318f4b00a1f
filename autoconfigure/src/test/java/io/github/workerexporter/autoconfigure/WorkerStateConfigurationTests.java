package io.github.workerexporter.autoconfigure;

import java.time.Instant;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookManager;
import io.github.workerexporter.hooks.HookManager.NamedHook;
import io.github.workerexporter.lifecycle.WorkerLifecycle;
import io.github.workerexporter.metrics.MasterRestarts;
import io.github.workerexporter.metrics.ProcessStats;
import io.github.workerexporter.metrics.SignalHandlers;
import io.github.workerexporter.metrics.WorkerMetrics;
import io.github.workerexporter.metrics.WorkerRestartMetrics;
import io.github.workerexporter.lifecycle.WorkerState;
import io.github.workerexporter.metrics.WorkerStateHook;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WorkerStateConfiguration}.
 *
 * @author Worker Exporter
 */
class WorkerStateConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class))
        .withBean(PrometheusRegistry.class, PrometheusRegistry::new);

    @Test
    void registersWorkerAndMasterMetricsWithTheirHooks() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(ProcessStats.class)
                .hasSingleBean(MasterRestarts.class)
                .hasSingleBean(WorkerLifecycle.class)
                .hasSingleBean(WorkerMetrics.class)
                .hasSingleBean(WorkerRestartMetrics.class)
                .hasSingleBean(WorkerStateHook.class)
                .hasSingleBean(SignalHandlers.class);
            assertThat(context.getBean(PrometheusRegistry.class).scrape().stream())
                .anySatisfy((family) -> assertThat(family.getMetadata().getName()).isEqualTo("gunicorn_worker_state"))
                .anySatisfy((family) -> assertThat(family.getMetadata().getName())
                    .isEqualTo("gunicorn_master_worker_restart"));
        });
    }

    @Test
    void runsTheStateHookBeforeTheApplicationsHooks() {
        this.contextRunner.withUserConfiguration(EarlyHookConfiguration.class).run((context) -> {
            assertThat(context.getBean(HookManager.class).getHooks()).map(NamedHook::name)
                .containsSubsequence("workerStateHook", "signalHandlers", "userHook");
            assertThat(context.getBean(WorkerLifecycle.class).state()).isEqualTo(WorkerState.STARTING);
        });
    }

    @Test
    void usesTheConfiguredPrefix() {
        this.contextRunner.withPropertyValues("exporter.metrics.prefix=app")
            .run((context) -> assertThat(context.getBean(PrometheusRegistry.class).scrape().stream())
                .anySatisfy((family) -> assertThat(family.getMetadata().getName()).isEqualTo("app_worker_state")));
    }

    @Test
    void backsOffWhenUserDefinesWorkerMetrics() {
        this.contextRunner.withUserConfiguration(UserWorkerMetricsConfiguration.class)
            .run((context) -> assertThat(context).hasSingleBean(WorkerMetrics.class)
                .getBean(WorkerMetrics.class)
                .isSameAs(context.getBean(UserWorkerMetricsConfiguration.class).metrics));
    }

    @Test
    void doesNothingWithoutAPrometheusRegistry() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class))
            .run((context) -> assertThat(context).doesNotHaveBean(WorkerMetrics.class)
                .doesNotHaveBean(SignalHandlers.class));
    }

    @Test
    void doesNothingWhenDisabled() {
        this.contextRunner.withPropertyValues("exporter.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(WorkerMetrics.class)
                .doesNotHaveBean(MasterRestarts.class)
                .doesNotHaveBean(SignalHandlers.class));
    }

    @Configuration(proxyBeanMethods = false)
    static class EarlyHookConfiguration {

        @Bean
        @Order(0)
        ExporterHook userHook() {
            return (context) -> {
            };
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserWorkerMetricsConfiguration {

        final WorkerMetrics metrics = new WorkerMetrics(new PrometheusRegistry(), "user", "w1",
                new ProcessStats(Instant.now()), new WorkerLifecycle());

        @Bean
        WorkerMetrics userWorkerMetrics() {
            return this.metrics;
        }

    }

}
