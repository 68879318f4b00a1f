package io.github.workerexporter.autoconfigure;

import java.util.List;
import java.util.stream.Collectors;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookPhase;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A real worker JVM for {@link ProcessConfigurationTests}: starts the application, spawns
 * a child that exits on TERM, one that ignores it, and a shell with a grandchild, prints
 * their pids and waits to be terminated.
 */
public final class ProcessCleanupApp {

    static volatile List<ProcessHandle> children = List.of();

    private ProcessCleanupApp() {
    }

    public static void main(String[] args) throws Exception {
        new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
            .run("--exporter.process.timeout=1s", "--spring.main.banner-mode=off");
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        Process ignorer = new ProcessBuilder("sh", "-c", "trap '' TERM; exec sleep 301").start();
        Process parent = new ProcessBuilder("sh", "-c", "sleep 302 & wait").start();
        while (parent.toHandle().children().findAny().isEmpty()) {
            Thread.sleep(10);
        }
        ProcessHandle grandchild = parent.toHandle().children().findFirst().orElseThrow();
        children = List.of(sleeper.toHandle(), ignorer.toHandle(), parent.toHandle(), grandchild);
        System.out.println("children="
                + children.stream().map((child) -> String.valueOf(child.pid())).collect(Collectors.joining(",")));
        Thread.sleep(Long.MAX_VALUE);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(WorkerExporterAutoConfiguration.class)
    static class App {

        @Bean
        ExporterHook reportChildrenAtExit() {
            return ExporterHook.on(HookPhase.ON_EXIT, (context) -> System.out
                .println("user-on-exit children-alive=" + children.stream().allMatch(ProcessHandle::isAlive)));
        }

    }

}
