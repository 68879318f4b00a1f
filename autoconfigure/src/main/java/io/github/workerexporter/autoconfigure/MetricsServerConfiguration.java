package io.github.workerexporter.autoconfigure;

import org.springframework.context.annotation.Configuration;

/**
 * The dedicated metrics HTTP server (MetricsServerManager).
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
class MetricsServerConfiguration {

}
