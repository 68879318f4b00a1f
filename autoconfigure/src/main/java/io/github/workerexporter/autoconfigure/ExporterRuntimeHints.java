package io.github.workerexporter.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

import io.github.workerexporter.storage.Snapshots;

/**
 * What a native image needs to keep of the exporter beyond what Spring's AOT processing
 * of the bean definitions finds:
 * <ul>
 * <li>the constructors of the {@code spring.factories} extensions, which Spring Boot
 * instantiates reflectively before any bean exists (Spring's own
 * {@code SpringFactoriesLoaderRuntimeHints} covers them too when it runs; these keep the
 * exporter self-contained);</li>
 * <li>{@link ExporterProperties}, which the {@code exporter} endpoint reads through its
 * getters;</li>
 * <li>{@code prometheus.properties}, client_java's configuration file, which the metrics
 * server reads from the class path when the application has one;</li>
 * <li>the constructors of client_java's snapshots that the merged view uses for data
 * points it sorted itself ({@link Snapshots#sortedFamily}).</li>
 * </ul>
 * The {@code exporter} endpoint's answer needs nothing here: Actuator registers the
 * return types of its operations.
 *
 * @author Worker Exporter
 */
class ExporterRuntimeHints implements RuntimeHintsRegistrar {

    /**
     * The exporter's {@code META-INF/spring.factories} extensions.
     */
    static final List<Class<?>> FACTORIES = List.of(ExporterCommandLineRunListener.class,
            ExporterEnvironmentPostProcessor.class, ExporterPreinitializer.class, ExporterBindFailureAnalyzer.class,
            ExporterConfigFileFailureAnalyzer.class, InvalidExporterPropertyFailureAnalyzer.class,
            MetricsServerPortInUseFailureAnalyzer.class);

    /**
     * client_java's configuration file on the class path.
     */
    static final String PROMETHEUS_PROPERTIES = "prometheus.properties";

    @Override
    public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
        FACTORIES.forEach((type) -> hints.reflection().registerType(type, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS));
        Snapshots.presortedTypes()
            .forEach((type) -> hints.reflection().registerType(type, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS));
        BindableRuntimeHintsRegistrar.forTypes(ExporterProperties.class).registerHints(hints, classLoader);
        hints.resources().registerPattern(PROMETHEUS_PROPERTIES);
    }

}
