package io.github.workerexporter.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
    void keepsChildProcessesWhenTheContextClosesWhileTheJvmLivesOn() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ExitWatchConfiguration.class)
            .web(WebApplicationType.NONE)
            .run("--exporter.process.timeout=1s");
        Process child = this.processes.start("exec sleep 300");
        context.close();
        assertThat(child.isAlive()).isTrue();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void endsEveryDescendantWhenARealJvmIsTerminatedAfterUserOnExitHooks(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("jvm.log");
        Process jvm = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), ProcessCleanupApp.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        try {
            String pids = awaitLine(jvm, log, "children=");
            List<ProcessHandle> children = Arrays.stream(pids.substring("children=".length()).split(","))
                .map((pid) -> ProcessHandle.of(Long.parseLong(pid)).orElseThrow())
                .toList();
            assertThat(children).hasSize(4).allMatch(ProcessHandle::isAlive);
            jvm.destroy();
            assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
            for (ProcessHandle child : children) {
                child.onExit().get(30, TimeUnit.SECONDS);
            }
            assertThat(children).noneMatch(ProcessHandle::isAlive);
            assertThat(Files.readAllLines(log)).anyMatch((line) -> line.contains("user-on-exit children-alive=true"))
                .anyMatch((line) -> line.contains("Terminating child process"))
                .anyMatch((line) -> line.contains("Force killing child process"));
        }
        finally {
            jvm.destroyForcibly();
        }
    }

    private static String awaitLine(Process jvm, Path log, String prefix) throws Exception {
        for (int i = 0; i < 1200; i++) {
            Optional<String> line = Files.readAllLines(log).stream().filter((l) -> l.startsWith(prefix)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            if (!jvm.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("The JVM did not print " + prefix + ": " + Files.readString(log));
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
