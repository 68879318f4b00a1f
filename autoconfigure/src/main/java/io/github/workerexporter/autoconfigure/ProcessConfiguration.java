package io.github.workerexporter.autoconfigure;

import java.time.Duration;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookPhase;
import io.github.workerexporter.process.ProcessManager;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Child processes ended at exit (ProcessManager).
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
class ProcessConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ProcessManager processManager(ExporterProperties properties) {
        Duration timeout = properties.getProcess().getTimeout();
        if (timeout.isNegative()) {
            throw new InvalidExporterPropertyException("exporter.process.timeout", timeout, "must not be negative",
                    "a duration of 0 or more, such as 5s");
        }
        return new ProcessManager(timeout);
    }

    /**
     * Runs last among the {@code on_exit} hooks, so that hooks which still talk to child
     * processes run before the children are ended; ends them only when the JVM exits.
     * @param processManager the process manager
     * @return the hook
     */
    @Bean
    @ConditionalOnMissingBean(name = "processCleanupHook")
    @Order(Ordered.LOWEST_PRECEDENCE)
    ExporterHook processCleanupHook(ProcessManager processManager) {
        return ExporterHook.on(HookPhase.ON_EXIT, (context) -> processManager.cleanupAtJvmExit());
    }

}
