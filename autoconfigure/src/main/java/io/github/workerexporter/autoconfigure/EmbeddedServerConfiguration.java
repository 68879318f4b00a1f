package io.github.workerexporter.autoconfigure;

import org.springframework.context.annotation.Configuration;

/**
 * The original's gunicorn settings applied to the embedded web server
 * (EnvironmentManager).
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
class EmbeddedServerConfiguration {

}
