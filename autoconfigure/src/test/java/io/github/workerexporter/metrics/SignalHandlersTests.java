package io.github.workerexporter.metrics;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.github.workerexporter.environment.WorkerPool;
import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookPhase;
import io.github.workerexporter.testing.LoopbackHttp;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SignalHandlers}: signals sent with {@code kill} to a real JVM running
 * a Spring Boot application with the exporter.
 *
 * @author Worker Exporter
 */
@EnabledOnOs({ OS.LINUX, OS.MAC })
class SignalHandlersTests {

    /**
     * Longest wait for the child JVM (a whole Spring Boot application) to print a line or
     * answer, on a loaded machine: on 2 CPUs under a load average of 20 to 30 its start
     * took 40 s on Java 17 and over 60 s on Java 25 (the MetricsServerFaultsTests
     * start-up wait is 3 minutes for the same reason).
     */
    private static final long DEADLINE_MILLIS = 180_000;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void stopChildren() {
        this.children.forEach(Process::destroyForcibly);
    }

    @Test
    void countsSignalsResizesThePoolAndStopsGracefullyOnTerm() throws Exception {
        Child child = start(List.of());
        String port = child.awaitLine((line) -> line.startsWith("PORT ")).substring(5);
        kill(child, "USR1");
        kill(child, "TTIN");
        String scrape = awaitScrape(port,
                (text) -> text.contains("gunicorn_master_worker_restart_total{reason=\"usr1\"} 1.0")
                        && text.contains("gunicorn_master_worker_restart_total{reason=\"ttin\"} 1.0"));
        assertThat(scrape).contains("gunicorn_worker_state{state=\"running\",worker_id=\"child\"} 1.0");
        assertThat(child.awaitLine((line) -> line.startsWith("POOL "))).isEqualTo("POOL 11");
        kill(child, "TERM");
        assertThat(child.process.waitFor(DEADLINE_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(child.process.exitValue()).isEqualTo(143);
        assertThat(child.awaitLine((line) -> line.startsWith("EXIT ")))
            .isEqualTo("EXIT gunicorn_worker_restart_total{reason=\"term\",worker_id=\"child\"} 1.0");
        // In-process, a TERM is not counted when received: the life that follows counts
        // the restart, and without a shared store nothing survives this JVM.
        assertThat(child.awaitLine((line) -> line.startsWith("MASTER ")))
            .isEqualTo("MASTER gunicorn_master_worker_restart_total{reason=\"term\"} 0.0");
    }

    @Test
    void leavesHupIgnoredWhenItWasIgnoredAtStart() throws Exception {
        Child child = start(List.of("sh", "-c", "trap '' HUP; exec \"$0\" \"$@\""));
        String port = child.awaitLine((line) -> line.startsWith("PORT ")).substring(5);
        kill(child, "HUP");
        kill(child, "USR1");
        String scrape = awaitScrape(port,
                (text) -> text.contains("gunicorn_master_worker_restart_total{reason=\"usr1\"} 1.0"));
        assertThat(scrape).contains("gunicorn_master_worker_restart_total{reason=\"hup\"} 0.0");
        assertThat(child.process.isAlive()).isTrue();
    }

    private Child start(List<String> wrapper) throws IOException {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), ChildApplication.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        this.children.add(process);
        return new Child(process);
    }

    private static void kill(Child child, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(child.process.pid())).inheritIO()
            .start();
        assertThat(kill.waitFor()).isZero();
    }

    private static String awaitScrape(String port, Predicate<String> condition) throws Exception {
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        String body = "";
        while (System.currentTimeMillis() < deadline) {
            body = LoopbackHttp.getOnce(Integer.parseInt(port), "/actuator/prometheus").body();
            if (condition.test(body)) {
                return body;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("Condition not met by the scrape:\n" + body);
    }

    private static final class Child {

        private final Process process;

        private final List<String> lines = new CopyOnWriteArrayList<>();

        Child(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    in.lines().forEach(this.lines::add);
                }
                catch (IOException ex) {
                    this.lines.add("READ FAILED " + ex);
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        String awaitLine(Predicate<String> condition) throws InterruptedException {
            long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
            while (System.currentTimeMillis() < deadline) {
                for (String line : this.lines) {
                    if (condition.test(line)) {
                        return line;
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("No such line in the output of the child:\n" + String.join("\n", this.lines));
        }

    }

    /**
     * The application of the child JVM: prints its port when ready, the pool size when
     * resized, and on exit the worker's restart count and the master's count of
     * {@code term}.
     */
    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    public static class ChildApplication {

        public static void main(String[] args) {
            new SpringApplicationBuilder(ChildApplication.class)
                .properties("server.port=0", "server.address=127.0.0.1",
                        "management.endpoints.web.exposure.include=prometheus", "exporter.worker.id=child",
                        "exporter.prometheus.metrics-port=0", "spring.main.banner-mode=off", "logging.level.root=warn")
                .run(args);
        }

        @Bean
        ApplicationListener<ApplicationReadyEvent> printPort() {
            return (event) -> System.out
                .println("PORT " + event.getApplicationContext().getEnvironment().getProperty("local.server.port"));
        }

        @Bean
        ExporterHook printRestartsOnExit(PrometheusRegistry registry) {
            return ExporterHook.on(HookPhase.ON_EXIT, (context) -> {
                for (String line : WorkerMetricsTests.scrape(registry).split("\n")) {
                    if (line.startsWith("gunicorn_worker_restart_total") && !line.endsWith(" 0.0")) {
                        System.out.println("EXIT " + line);
                    }
                    if (line.startsWith("gunicorn_master_worker_restart_total{reason=\"term\"}")) {
                        System.out.println("MASTER " + line);
                    }
                }
            });
        }

        @Bean
        WorkerPool workerPool() {
            AtomicInteger maximum = new AtomicInteger(10);
            return new WorkerPool() {

                @Override
                public int adjust(int delta) {
                    int size = maximum.updateAndGet((current) -> Math.max(1, current + delta));
                    System.out.println("POOL " + size);
                    return size;
                }

                @Override
                public int maximum() {
                    return maximum.get();
                }

            };
        }

    }

}
