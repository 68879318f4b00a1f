package io.github.workerexporter.environment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link WorkerClass}.
 *
 * @author Worker Exporter
 */
class WorkerClassTests {

    @Test
    void parsesEachNameIgnoringCase() {
        assertThat(WorkerClass.parse("sync")).isEqualTo(WorkerClass.SYNC);
        assertThat(WorkerClass.parse("Thread")).isEqualTo(WorkerClass.THREAD);
        assertThat(WorkerClass.parse(" VIRTUAL ")).isEqualTo(WorkerClass.VIRTUAL);
    }

    @Test
    void rejectsUnknownNameListingAllowedValues() {
        assertThatIllegalArgumentException().isThrownBy(() -> WorkerClass.parse("gevent"))
            .withMessage("unknown worker class 'gevent'; allowed values are sync, thread, virtual");
    }

    @Test
    void rejectsVirtualBeforeJava21() {
        assertThatIllegalArgumentException().isThrownBy(() -> WorkerClass.VIRTUAL.requireSupportedOn(17))
            .withMessage("virtual threads need Java 21 or later; this JVM is 17");
    }

    @Test
    void acceptsVirtualFromJava21() {
        assertThat(WorkerClass.VIRTUAL.requireSupportedOn(21)).isEqualTo(WorkerClass.VIRTUAL);
    }

    @Test
    void acceptsPlatformThreadsOnAnyJava() {
        assertThat(WorkerClass.SYNC.requireSupportedOn(17)).isEqualTo(WorkerClass.SYNC);
        assertThat(WorkerClass.THREAD.requireSupported()).isEqualTo(WorkerClass.THREAD);
    }

    @Test
    @EnabledForJreRange(max = JRE.JAVA_20)
    void rejectsVirtualOnThisJvm() {
        assertThatIllegalArgumentException().isThrownBy(WorkerClass.VIRTUAL::requireSupported)
            .withMessage("virtual threads need Java 21 or later; this JVM is " + Runtime.version().feature());
    }

}
