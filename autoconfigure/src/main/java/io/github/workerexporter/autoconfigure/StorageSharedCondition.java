package io.github.workerexporter.autoconfigure;

import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * Workers share their metrics: a shared directory or Redis is configured.
 *
 * @author Worker Exporter
 */
class StorageSharedCondition extends AnyNestedCondition {

    StorageSharedCondition() {
        super(ConfigurationPhase.REGISTER_BEAN);
    }

    @ConditionalOnProperty("exporter.prometheus.multiproc-dir")
    static class MultiprocDir {

    }

    @ConditionalOnBooleanProperty("exporter.redis.enabled")
    static class Redis {

    }

}
