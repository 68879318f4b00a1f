package io.github.workerexporter.autoconfigure;

import java.time.Duration;

import io.github.workerexporter.environment.BindAddress;
import io.github.workerexporter.environment.WorkerClass;
import io.github.workerexporter.environment.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link EmbeddedServerPropertiesValidator}, through the auto-configuration.
 *
 * @author Worker Exporter
 */
class EmbeddedServerPropertiesValidatorTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class));

    @Test
    void bindsValidSettings() {
        this.contextRunner
            .withPropertyValues("exporter.gunicorn.workers=4", "exporter.gunicorn.bind=[::1]:8000",
                    "exporter.gunicorn.timeout=45", "exporter.gunicorn.keepalive=0",
                    "exporter.gunicorn.worker-class=Thread")
            .run((context) -> assertThat(context).getBean(WorkerSettings.class)
                .isEqualTo(new WorkerSettings(4, new BindAddress("::1", 8000), Duration.ofSeconds(45), Duration.ZERO,
                        WorkerClass.THREAD)));
    }

    @Test
    void failsWhenWorkersIsZero() {
        this.contextRunner.withPropertyValues("exporter.gunicorn.workers=0")
            .run((context) -> assertInvalid(context, "exporter.gunicorn.workers", 0, "must be at least 1",
                    "a whole number of 1 or more"));
    }

    @Test
    void failsWhenTimeoutIsBelowOneSecond() {
        this.contextRunner.withPropertyValues("exporter.gunicorn.timeout=0")
            .run((context) -> assertInvalid(context, "exporter.gunicorn.timeout", "0s", "must be at least 1 second",
                    "a duration of 1 second or more, such as 30 (seconds) or 30s"));
    }

    @Test
    void failsWhenKeepaliveIsNegative() {
        this.contextRunner.withPropertyValues("exporter.gunicorn.keepalive=-1")
            .run((context) -> assertInvalid(context, "exporter.gunicorn.keepalive", "-1s", "must not be negative",
                    "a duration of 0 seconds or more, such as 2 (seconds) or 2s"));
    }

    @Test
    void failsWhenWorkerClassIsUnknown() {
        this.contextRunner.withPropertyValues("exporter.gunicorn.worker-class=gevent")
            .run((context) -> assertInvalid(context, "exporter.gunicorn.worker-class", "gevent",
                    "unknown worker class 'gevent'; allowed values are sync, thread, virtual",
                    "one of sync, thread, virtual (virtual on Java 21 or later)"));
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void failsWhenWorkerClassIsVirtualBeforeJava21() {
        this.contextRunner.withPropertyValues("exporter.gunicorn.worker-class=virtual")
            .run((context) -> assertInvalid(context, "exporter.gunicorn.worker-class", "virtual",
                    "virtual threads need Java 21 or later; this JVM is " + Runtime.version().feature(),
                    "one of sync, thread, virtual (virtual on Java 21 or later)"));
    }

    @Test
    void failsWhenBindIsAUnixSocket() {
        this.contextRunner.withPropertyValues("exporter.gunicorn.bind=unix:/tmp/app.sock")
            .run((context) -> assertInvalid(context, "exporter.gunicorn.bind", "unix:/tmp/app.sock",
                    "unix sockets are not supported by the embedded web server; bind to HOST:PORT instead",
                    "HOST:PORT, [IPv6]:PORT or :PORT (all interfaces) with a port of 0-65535, such as 0.0.0.0:8000"));
    }

    @Test
    void failsWhenBindHasNoPort() {
        this.contextRunner.withPropertyValues("exporter.gunicorn.bind=localhost")
            .run((context) -> assertInvalid(context, "exporter.gunicorn.bind", "localhost",
                    "'localhost' has no port; use HOST:PORT, [IPv6]:PORT or :PORT",
                    "HOST:PORT, [IPv6]:PORT or :PORT (all interfaces) with a port of 0-65535, such as 0.0.0.0:8000"));
    }

    @Test
    void failsWhenBindPortIsOutOfRange() {
        this.contextRunner.withPropertyValues("exporter.gunicorn.bind=0.0.0.0:99999")
            .run((context) -> assertInvalid(context, "exporter.gunicorn.bind", "0.0.0.0:99999",
                    "port 99999 is out of range (0-65535)",
                    "HOST:PORT, [IPv6]:PORT or :PORT (all interfaces) with a port of 0-65535, such as 0.0.0.0:8000"));
    }

    @Test
    void describesTheFailureWithPropertyValueAndFix() {
        this.contextRunner.withPropertyValues("exporter.gunicorn.workers=-2").run((context) -> {
            InvalidExporterPropertyException cause = EmbeddedServerTestSupport.cause(context.getStartupFailure());
            assertThat(new InvalidExporterPropertyFailureAnalyzer().analyze(cause)).satisfies((analysis) -> {
                assertThat(analysis.getDescription())
                    .isEqualTo("Invalid value '-2' for property 'exporter.gunicorn.workers': must be at least 1.");
                assertThat(analysis.getAction())
                    .isEqualTo("Set 'exporter.gunicorn.workers' to a valid value: a whole number of 1 or more.");
            });
        });
    }

    private static void assertInvalid(AssertableApplicationContext context, String property, Object value,
            String reason, String action) {
        assertThat(context).hasFailed();
        InvalidExporterPropertyException cause = EmbeddedServerTestSupport.cause(context.getStartupFailure());
        assertThat(cause.getProperty()).isEqualTo(property);
        assertThat(cause.getValue()).isEqualTo(value);
        assertThat(cause.getReason()).isEqualTo(reason);
        assertThat(cause.getAction()).isEqualTo(action);
    }

}
