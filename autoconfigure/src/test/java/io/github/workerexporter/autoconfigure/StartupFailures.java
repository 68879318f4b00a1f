package io.github.workerexporter.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

/**
 * What a user sees when start-up fails: the analysis of the first registered
 * {@link FailureAnalyzer} (ours and Spring Boot's, from {@code spring.factories}) that
 * recognises the failure.
 */
public final class StartupFailures {

    private StartupFailures() {
    }

    public static FailureAnalysis analyze(Throwable failure) {
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
            .load(FailureAnalyzer.class, ArgumentResolver.of(BeanFactory.class, null).and(Environment.class, null),
                    FailureHandler.logging(org.apache.commons.logging.LogFactory.getLog(StartupFailures.class)));
        AnnotationAwareOrderComparator.sort(analyzers);
        for (FailureAnalyzer analyzer : analyzers) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null) {
                return analysis;
            }
        }
        throw new AssertionError("No failure analyzer recognised " + failure, failure);
    }

    /**
     * The description and the action of the analysis, as one text.
     * @param failure the failure
     * @return the text a user reads
     */
    public static String message(Throwable failure) {
        FailureAnalysis analysis = analyze(failure);
        return analysis.getDescription() + "\n" + analysis.getAction();
    }

}
