package io.github.workerexporter.autoconfigure;

import java.time.Duration;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookPhase;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.redis.RedisEndpoint;
import io.github.workerexporter.storage.redis.RedisMetricStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Redis storage over Spring Data Redis and Lettuce, when {@code exporter.redis.enabled}.
 * The store uses the application's {@link RedisConnectionFactory} when it has one
 * ({@code spring.data.redis.*}, the only way to Sentinel and Cluster), else a standalone
 * connection of its own from {@code exporter.redis.*}, which connects on first use so
 * that a Redis that is down never fails start-up.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(value = RedisConnectionFactory.class, name = "io.lettuce.core.RedisClient")
@ConditionalOnBooleanProperty("exporter.redis.enabled")
class RedisStorageConfiguration {

    @Bean
    @ConditionalOnMissingBean(MetricStore.class)
    RedisMetricStore redisMetricStore(ExporterProperties properties,
            ObjectProvider<RedisConnectionFactory> connectionFactories) {
        ExporterProperties.Redis redis = properties.getRedis();
        Duration ttl = redis.isTtlDisabled() ? Duration.ZERO : Duration.ofSeconds(redis.getTtlSeconds());
        RedisConnectionFactory application = connectionFactories.getIfUnique();
        if (application != null) {
            return new RedisMetricStore(application, location(application), redis.getKeyPrefix(), ttl);
        }
        RedisEndpoint endpoint = new RedisEndpoint(redis.getHost(), redis.getPort(), redis.getDb(), redis.getUsername(),
                redis.getPassword(), redis.isSsl(), redis.getTimeout());
        return RedisMetricStore.connect(endpoint, redis.getKeyPrefix(), ttl);
    }

    @Bean
    @ConditionalOnMissingBean(name = "redisStorageReadyHook")
    ExporterHook redisStorageReadyHook(ObjectProvider<RedisMetricStore> store) {
        return ExporterHook.on(HookPhase.REDIS_WHEN_READY, (context) -> store
            .ifAvailable((redis) -> context.logger().info("Redis metrics storage enabled at {}", redis.location())));
    }

    private static String location(RedisConnectionFactory factory) {
        if (factory instanceof LettuceConnectionFactory lettuce) {
            if (lettuce.getClusterConfiguration() != null) {
                return "cluster " + lettuce.getClusterConfiguration().getClusterNodes();
            }
            if (lettuce.getSentinelConfiguration() != null) {
                return "sentinel master " + lettuce.getSentinelConfiguration().getMaster();
            }
            return lettuce.getHostName() + ":" + lettuce.getPort();
        }
        return factory.getClass().getSimpleName();
    }

}
