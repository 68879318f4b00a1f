package io.github.workerexporter.autoconfigure;

import org.springframework.context.annotation.Configuration;

/**
 * Request metrics recorded by a servlet filter or a WebFlux filter.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
class RequestMetricsConfiguration {

}
