package io.github.workerexporter.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Conditional;

/**
 * Matches when the {@link StorageMode} decided from the properties is one of the given
 * modes ({@link StorageModeCondition}).
 *
 * @author Worker Exporter
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@Documented
@Conditional(StorageModeCondition.class)
@interface ConditionalOnStorage {

    /**
     * The modes that match.
     * @return the modes
     */
    StorageMode[] value();

}
