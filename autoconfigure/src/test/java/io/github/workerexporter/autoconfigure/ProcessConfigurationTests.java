package io.github.workerexporter.autoconfigure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookPhase;
import io.github.workerexporter.process.ProcessManager;
import io.github.workerexporter.process.SpawnedProcesses;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ProcessConfiguration}.
 *
 * @author Worker Exporter
 */
class ProcessConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class));

    private final SpawnedProcesses processes = new SpawnedProcesses();

    @AfterEach
    void killSpawnedProcesses() {
        this.processes.killAll();
    }

    @Test
    void providesProcessManagerAndOnExitHook() {
        this.contextRunner.run((context) -> {
            assertThat(context).hasSingleBean(ProcessManager.class);
            assertThat(context).hasBean("processCleanupHook");
        });
    }

    @Test
    void backsOffWhenUserDefinesProcessManager() {
        this.contextRunner.withUserConfiguration(CustomProcessManagerConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(ProcessManager.class);
            assertThat(context).hasBean("customProcessManager");
        });
    }

    @Test
    void failsWhenTimeoutIsNegative() {
        this.contextRunner.withPropertyValues("exporter.process.timeout=-1s").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOfSatisfying(InvalidExporterPropertyException.class,
                        (ex) -> assertThat(ex.getProperty()).isEqualTo("exporter.process.timeout"));
        });
    }

    @Test
    @EnabledOnOs({ OS.LINUX, OS.MAC })
    void endsChildProcessesAtExitAfterUserOnExitHooks() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ExitWatchConfiguration.class)
            .web(WebApplicationType.NONE)
            .run("--exporter.process.timeout=30s");
        Process child = this.processes.start("exec sleep 300");
        ExitWatch watch = context.getBean(ExitWatch.class);
        watch.child = child.toHandle();
        context.close();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(watch.childAliveAtUserHook).isTrue();
    }

    @Configuration(proxyBeanMethods = false)
    static class CustomProcessManagerConfiguration {

        @Bean
        ProcessManager customProcessManager() {
            return new ProcessManager(Duration.ZERO);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(WorkerExporterAutoConfiguration.class)
    static class ExitWatchConfiguration {

        @Bean
        ExitWatch exitWatch() {
            return new ExitWatch();
        }

        @Bean
        ExporterHook watchChildAtExit(ExitWatch watch) {
            return ExporterHook.on(HookPhase.ON_EXIT, (context) -> {
                ProcessHandle child = watch.child;
                watch.childAliveAtUserHook = (child != null) && child.isAlive();
            });
        }

    }

    static class ExitWatch {

        volatile @Nullable ProcessHandle child;

        volatile @Nullable Boolean childAliveAtUserHook;

    }

}
