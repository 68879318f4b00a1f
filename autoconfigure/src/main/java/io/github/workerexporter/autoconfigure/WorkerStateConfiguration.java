package io.github.workerexporter.autoconfigure;

import org.springframework.context.annotation.Configuration;

/**
 * Worker state, resource gauges, restarts and signals.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
class WorkerStateConfiguration {

}
