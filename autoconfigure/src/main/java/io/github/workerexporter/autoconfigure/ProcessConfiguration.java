package io.github.workerexporter.autoconfigure;

import org.springframework.context.annotation.Configuration;

/**
 * Child processes ended at exit (ProcessManager).
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
class ProcessConfiguration {

}
