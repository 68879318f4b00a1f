package io.github.workerexporter.autoconfigure;

import org.springframework.context.annotation.Configuration;

/**
 * Shared storage: the store (in-process or a shared directory), the flusher and the
 * merged scrape.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

}
