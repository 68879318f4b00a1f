package io.github.workerexporter.environment;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

/**
 * Tests for {@link CommandLineOptions}.
 *
 * @author Worker Exporter
 */
class CommandLineOptionsTests {

    @Test
    void mapsLongOptionsWithSeparateValues() {
        assertThat(CommandLineOptions.parse(new String[] { "--workers", "4", "--bind", "0.0.0.0:8000", "--worker-class",
                "thread", "--timeout", "45", "--keepalive", "5" }))
            .containsExactly(entry("exporter.gunicorn.workers", "4"), entry("exporter.gunicorn.bind", "0.0.0.0:8000"),
                    entry("exporter.gunicorn.worker-class", "thread"), entry("exporter.gunicorn.timeout", "45"),
                    entry("exporter.gunicorn.keepalive", "5"));
    }

    @Test
    void mapsLongOptionsWithEqualsSign() {
        assertThat(CommandLineOptions.parse(new String[] { "--workers=4", "--bind=[::1]:8000", "--worker-class=virtual",
                "--timeout=45", "--keepalive=5" }))
            .containsExactly(entry("exporter.gunicorn.workers", "4"), entry("exporter.gunicorn.bind", "[::1]:8000"),
                    entry("exporter.gunicorn.worker-class", "virtual"), entry("exporter.gunicorn.timeout", "45"),
                    entry("exporter.gunicorn.keepalive", "5"));
    }

    @Test
    void mapsShortOptions() {
        assertThat(CommandLineOptions.parse(new String[] { "-w", "2", "-b", ":9000", "-k", "sync", "-t", "60" }))
            .containsExactly(entry("exporter.gunicorn.workers", "2"), entry("exporter.gunicorn.bind", ":9000"),
                    entry("exporter.gunicorn.worker-class", "sync"), entry("exporter.gunicorn.timeout", "60"));
    }

    @Test
    void ignoresSpringAndApplicationArguments() {
        assertThat(CommandLineOptions.parse(new String[] { "--server.port=8080", "--debug", "input.txt", "-w", "3" }))
            .containsExactly(entry("exporter.gunicorn.workers", "3"));
    }

    @Test
    void keepsTheLastValueOfARepeatedOption() {
        assertThat(CommandLineOptions.parse(new String[] { "-w", "2", "--workers=5" }))
            .containsExactly(entry("exporter.gunicorn.workers", "5"));
    }

    @Test
    void acceptsANegativeKeepalive() {
        assertThat(CommandLineOptions.parse(new String[] { "--keepalive", "-1" }))
            .containsExactly(entry("exporter.gunicorn.keepalive", "-1"));
    }

    @Test
    void failsWhenTheLastOptionHasNoValue() {
        assertThatIllegalArgumentException().isThrownBy(() -> CommandLineOptions.parse(new String[] { "--workers" }))
            .withMessage("option --workers needs a value");
    }

    @Test
    void failsWhenAnOptionIsFollowedByAnotherOption() {
        assertThatIllegalArgumentException()
            .isThrownBy(() -> CommandLineOptions.parse(new String[] { "-b", "--workers", "2" }))
            .withMessage("option -b needs a value");
    }

    @Test
    void failsWhenAnOptionHasAnEmptyValue() {
        assertThatIllegalArgumentException().isThrownBy(() -> CommandLineOptions.parse(new String[] { "--timeout=" }))
            .withMessage("option --timeout needs a value");
    }

}
