package io.github.workerexporter.autoconfigure;

import java.util.List;
import java.util.Map;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.annotation.ReflectiveRuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests of {@link ExporterRuntimeHints}: what a native image keeps of the exporter.
 *
 * @author Worker Exporter
 */
class ExporterRuntimeHintsTests {

    private final RuntimeHints hints = new RuntimeHints();

    ExporterRuntimeHintsTests() {
        new ExporterRuntimeHints().registerHints(this.hints, getClass().getClassLoader());
    }

    @Test
    void isRegisteredInAotFactories() {
        List<RuntimeHintsRegistrar> registrars = SpringFactoriesLoader
            .forResourceLocation("META-INF/spring/aot.factories")
            .load(RuntimeHintsRegistrar.class);
        assertThat(registrars).hasAtLeastOneElementOfType(ExporterRuntimeHints.class);
    }

    @Test
    void everyExporterExtensionInSpringFactoriesCanBeConstructed() {
        Map<String, List<String>> factories = ExtensionNames.load();
        List<String> exporterExtensions = factories.values()
            .stream()
            .flatMap(List::stream)
            .filter((name) -> name.startsWith("io.github.workerexporter."))
            .toList();
        assertThat(exporterExtensions).hasSize(ExporterRuntimeHints.FACTORIES.size());
        assertThat(exporterExtensions).allSatisfy((name) -> assertThat(RuntimeHintsPredicates.reflection()
            .onType(ClassUtils.resolveClassName(name, null))
            .withMemberCategory(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS)).accepts(this.hints));
    }

    @Test
    void exporterPropertiesCanBeReadThroughTheirGetters() throws NoSuchMethodException {
        assertThat(RuntimeHintsPredicates.reflection()
            .onMethodInvocation(ExporterProperties.Storage.class.getMethod("getHeartbeatTimeout"))).accepts(this.hints);
        assertThat(RuntimeHintsPredicates.reflection()
            .onMethodInvocation(ExporterProperties.Auth.class.getMethod("getPassword"))).accepts(this.hints);
    }

    @Test
    void prometheusPropertiesIsKept() {
        assertThat(RuntimeHintsPredicates.resource().forResource("prometheus.properties")).accepts(this.hints);
    }

    @Test
    void theSnapshotConstructorsOfTheMergedViewAreKept() {
        for (Class<?> type : List.of(CounterSnapshot.class, GaugeSnapshot.class, HistogramSnapshot.class,
                SummarySnapshot.class, UnknownSnapshot.class)) {
            assertThat(RuntimeHintsPredicates.reflection()
                .onType(type)
                .withMemberCategory(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS)).accepts(this.hints);
        }
    }

    @Test
    void theEndpointAnswerIsKeptByActuatorsOwnProcessing() {
        RuntimeHints endpointHints = new RuntimeHints();
        new ReflectiveRuntimeHintsRegistrar().registerRuntimeHints(endpointHints, ExporterEndpoint.class);
        assertThat(RuntimeHintsPredicates.reflection().onType(ExporterEndpoint.StoredWorker.class))
            .accepts(endpointHints);
        assertThat(RuntimeHintsPredicates.reflection().onType(ExporterEndpoint.ExporterDescriptor.class))
            .accepts(endpointHints);
    }

    /**
     * The {@code META-INF/spring.factories} entries on the class path.
     */
    static final class ExtensionNames extends SpringFactoriesLoader {

        private ExtensionNames() {
            super(null, Map.of());
        }

        static Map<String, List<String>> load() {
            return loadFactoriesResource(ExporterRuntimeHintsTests.class.getClassLoader(), FACTORIES_RESOURCE_LOCATION);
        }

    }

}
