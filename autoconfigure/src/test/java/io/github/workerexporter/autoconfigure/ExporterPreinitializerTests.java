package io.github.workerexporter.autoconfigure;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationListener;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests of {@link ExporterPreinitializer}: when it runs, that its work succeeds on the
 * current client_java and leaves nothing behind, and that its class list is current.
 *
 * @author Worker Exporter
 */
class ExporterPreinitializerTests {

    @Test
    void isRegisteredAsAnApplicationListener() {
        List<String> listeners = SpringFactoriesLoader.forDefaultResourceLocation()
            .load(ApplicationListener.class)
            .stream()
            .map((listener) -> listener.getClass().getName())
            .toList();
        assertThat(listeners).contains(ExporterPreinitializer.class.getName());
    }

    @Test
    void runsWhenTheExporterIsOnAndACpuIsToSpare() {
        assertThat(ExporterPreinitializer.isWanted(new MockEnvironment(), 2, false)).isTrue();
        assertThat(ExporterPreinitializer.isWanted(new MockEnvironment().withProperty("exporter.enabled", "true"), 2,
                false))
            .isTrue();
    }

    @Test
    void doesNotRunWhenTheExporterIsOffOrItsSwitchIsNotABoolean() {
        assertThat(ExporterPreinitializer.isWanted(new MockEnvironment().withProperty("exporter.enabled", "false"), 2,
                false))
            .isFalse();
        assertThat(ExporterPreinitializer.isWanted(new MockEnvironment().withProperty("exporter.enabled", "maybe"), 2,
                false))
            .isFalse();
    }

    @Test
    void doesNotRunOnOneCpuInANativeImageOrWhenBootsPreinitializationIsOff() {
        assertThat(ExporterPreinitializer.isWanted(new MockEnvironment(), 1, false)).isFalse();
        assertThat(ExporterPreinitializer.isWanted(new MockEnvironment(), 8, true)).isFalse();
    }

    @Test
    void doesItsWorkWithoutRegisteringOrLoggingAnything() {
        int collectorsBefore = PrometheusRegistry.defaultRegistry.scrape().size();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        root.addAppender(appender);
        Level level = root.getLevel();
        root.setLevel(Level.DEBUG);
        try {
            assertThatNoException().isThrownBy(ExporterPreinitializer::preinitialize);
        }
        finally {
            root.setLevel(level);
            root.detachAppender(appender);
        }
        assertThat(appender.list).filteredOn((event) -> event.getLoggerName().startsWith("io.github.workerexporter"))
            .isEmpty();
        assertThat(PrometheusRegistry.defaultRegistry.scrape().size()).isEqualTo(collectorsBefore);
    }

    @Test
    void everyClassItLoadsExists() {
        assertThat(ExporterPreinitializer.CLASSES).doesNotHaveDuplicates()
            .allSatisfy((name) -> assertThat(ClassUtils.isPresent("io.github.workerexporter." + name, null)).as(name)
                .isTrue());
        assertThat(ExporterPreinitializer.HTTP_SERVER_CLASSES).allSatisfy(
                (name) -> assertThat(Class.forName(name, false, getClass().getClassLoader()).getModule().getName())
                    .isEqualTo("jdk.httpserver"));
    }

}
