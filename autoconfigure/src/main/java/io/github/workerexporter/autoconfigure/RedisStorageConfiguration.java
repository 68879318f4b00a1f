package io.github.workerexporter.autoconfigure;

import org.springframework.context.annotation.Configuration;

/**
 * Redis storage over Spring Data Redis and Lettuce.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
class RedisStorageConfiguration {

}
