package io.github.workerexporter.autoconfigure;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition of {@link ConditionalOnStorage}, in the manner of Spring Boot's
 * {@code CacheCondition}: it asks {@link StorageMode#decide} and answers with a
 * {@link ConditionMessage} that names the mode and the properties that decided it, as the
 * condition evaluation report shows them ({@code --debug}).
 *
 * @author Worker Exporter
 */
class StorageModeCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnStorage.class.getName());
        StorageMode[] accepted = (attributes != null) ? (StorageMode[]) attributes.get("value") : new StorageMode[0];
        StorageMode.Decision decision = StorageMode.decide(context.getEnvironment());
        ConditionMessage.Builder message = ConditionMessage.forCondition(ConditionalOnStorage.class,
                Arrays.toString(accepted).toLowerCase(Locale.ROOT));
        if (Arrays.asList(accepted).contains(decision.mode())) {
            return ConditionOutcome.match(message.because(decision.toString()));
        }
        return ConditionOutcome.noMatch(message.because(decision.toString()));
    }

}
