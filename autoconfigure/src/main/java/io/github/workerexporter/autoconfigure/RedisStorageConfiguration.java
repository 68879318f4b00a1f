package io.github.workerexporter.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookPhase;
import io.github.workerexporter.storage.MetricStore;
import io.github.workerexporter.storage.redis.RedisEndpoint;
import io.github.workerexporter.storage.redis.RedisMetricStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Redis storage over Spring Data Redis and Lettuce, in the {@link StorageMode#REDIS}
 * mode. When {@link StorageMode#ownRedisConnection} (a connection set explicitly under
 * {@code exporter.redis.*}) the store opens a standalone connection of its own, which
 * connects on first use so that a Redis that is down never fails start-up. Otherwise the
 * store uses the application's {@link RedisConnectionFactory}
 * ({@code spring.data.redis.*}, the only way to Sentinel and Cluster).
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(value = RedisConnectionFactory.class, name = "io.lettuce.core.RedisClient")
@ConditionalOnStorage(StorageMode.REDIS)
class RedisStorageConfiguration {

    @Bean
    @ConditionalOnMissingBean(MetricStore.class)
    RedisMetricStore redisMetricStore(ExporterProperties properties,
            ObjectProvider<RedisConnectionFactory> connectionFactories, Environment environment,
            ObjectProvider<SslBundles> sslBundles) {
        ExporterProperties.Redis redis = properties.getRedis();
        Duration ttl = redis.isTtlDisabled() ? Duration.ZERO : Duration.ofSeconds(redis.getTtlSeconds());
        RedisConnectionFactory application = connectionFactories.getIfUnique();
        if (application != null && !StorageMode.ownRedisConnection(environment)) {
            return new RedisMetricStore(application, location(application), redis.getKeyPrefix(), ttl,
                    properties.getStorage().getHeartbeatTimeout());
        }
        RedisEndpoint endpoint = new RedisEndpoint(redis.getHost(), redis.getPort(), redis.getDb(), redis.getUsername(),
                redis.getPassword(), redis.isSsl(), redis.getTimeout());
        return RedisMetricStore.connect(endpoint, sslBundle(redis.getSslBundle(), sslBundles), redis.getKeyPrefix(),
                ttl, properties.getStorage().getHeartbeatTimeout());
    }

    @Bean
    @ConditionalOnMissingBean(name = "redisStorageReadyHook")
    ExporterHook redisStorageReadyHook(ObjectProvider<RedisMetricStore> store) {
        return ExporterHook.on(HookPhase.REDIS_WHEN_READY, (context) -> store
            .ifAvailable((redis) -> context.logger().info("Redis metrics storage enabled at {}", redis.location())));
    }

    private static @Nullable SslBundle sslBundle(@Nullable String name, ObjectProvider<SslBundles> sslBundles) {
        if (name == null || name.isBlank()) {
            return null;
        }
        String allowed = "the name of a bundle configured under spring.ssl.bundle.pem.* or spring.ssl.bundle.jks.*";
        SslBundles bundles = sslBundles.getIfAvailable();
        if (bundles == null) {
            throw new InvalidExporterPropertyException("exporter.redis.ssl-bundle", name,
                    "no SSL bundles are configured", allowed);
        }
        try {
            return bundles.getBundle(name);
        }
        catch (NoSuchSslBundleException ex) {
            throw new InvalidExporterPropertyException("exporter.redis.ssl-bundle", name, "no such SSL bundle", allowed,
                    ex);
        }
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
