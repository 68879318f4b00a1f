package io.github.workerexporter.autoconfigure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookPhase;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Worker state and restart reasons through a real Spring Boot lifecycle.
 *
 * @author Worker Exporter
 */
class WorkerStateLifecycleTests {

    private static final AtomicReference<String> scrapeAtWorkerInt = new AtomicReference<>("");

    @Test
    void runsWhenReadyAndCountsAPlainCloseAsAGracefulTerm() throws IOException {
        try (ConfigurableApplicationContext context = application(LifecycleConfiguration.class).run()) {
            assertThat(scrape(context.getBean(PrometheusRegistry.class)))
                .contains("gunicorn_worker_state{state=\"running\",worker_id=\"w1\"} 1.0");
        }
        // A stop the application asked for itself (no signal) ends the life with term,
        // the reason its record carries to the next life.
        assertThat(scrapeAtWorkerInt.get()).contains("gunicorn_worker_state{state=\"stopping\",worker_id=\"w1\"} 1.0")
            .contains("gunicorn_worker_restart_total{reason=\"error\",worker_id=\"w1\"} 0.0")
            .contains("gunicorn_worker_restart_total{reason=\"term\",worker_id=\"w1\"} 1.0")
            .contains("gunicorn_master_worker_restart_total{reason=\"term\"} 0.0");
    }

    @Test
    void countsAFailedStartAsAForcedRestartWithReasonError() {
        assertThatIllegalStateException()
            .isThrownBy(() -> application(LifecycleConfiguration.class, FailingRunnerConfiguration.class).run());
        assertThat(scrapeAtWorkerInt.get())
            .contains("gunicorn_worker_restart_total{reason=\"error\",worker_id=\"w1\"} 1.0")
            .contains(
                    "gunicorn_worker_restart_count_total{reason=\"error\",restart_type=\"forced\",worker_id=\"w1\"} 1.0")
            .contains("gunicorn_worker_state{state=\"stopping\",worker_id=\"w1\"} 1.0");
    }

    private static SpringApplicationBuilder application(Class<?>... sources) {
        return new SpringApplicationBuilder(sources).web(WebApplicationType.NONE)
            .properties("exporter.worker.id=w1", "spring.main.banner-mode=off");
    }

    private static String scrape(PrometheusRegistry registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return out.toString(StandardCharsets.UTF_8);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(WorkerExporterAutoConfiguration.class)
    static class LifecycleConfiguration {

        @Bean
        PrometheusRegistry prometheusRegistry() {
            return new PrometheusRegistry();
        }

        @Bean
        ExporterHook recordScrapeAtWorkerInt(PrometheusRegistry registry) {
            // the state hook has run for on_exit too, but the scrape is taken by this
            // later
            // hook of the same phase, so it sees worker_int's "stopping" only if on_exit
            // ran second; it asserts the restart counters, which worker_int sets
            return ExporterHook.on(HookPhase.WORKER_INT, (context) -> scrapeAtWorkerInt.set(scrape(registry)));
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class FailingRunnerConfiguration {

        @Bean
        ApplicationRunner failingRunner() {
            return (args) -> {
                throw new IllegalStateException("start-up failed");
            };
        }

    }

}
