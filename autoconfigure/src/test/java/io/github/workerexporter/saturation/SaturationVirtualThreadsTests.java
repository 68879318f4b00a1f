package io.github.workerexporter.saturation;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * With worker class {@code virtual} there is no pool of request threads: Tomcat and Jetty
 * serve no thread or waiting series, only connections and the accept queue. Runs in a
 * child JVM of Java 21 or later (this build runs on Java 17), given by
 * {@code WORKER_EXPORTER_JAVA21_HOME} or found at the Temurin 25 location; skipped when
 * there is none.
 *
 * @author Worker Exporter
 */
class SaturationVirtualThreadsTests {

    private static final Path DEFAULT_JAVA_HOME = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    @Test
    void virtualRequestThreadsGiveNoPoolSeries() throws Exception {
        String home = System.getenv("WORKER_EXPORTER_JAVA21_HOME");
        Path java = ((home != null) ? Path.of(home) : DEFAULT_JAVA_HOME).resolve("bin/java");
        assumeTrue(Files.isExecutable(java), "no Java 21+ at " + java);
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                VirtualThreadsChild.class.getName())
            .redirectErrorStream(true)
            .start();
        try {
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(output).isZero();
            String acceptQueue = (AcceptQueue.linux() != null) ? "accept_queue, accept_queue_max, " : "";
            assertThat(output).contains("tomcat families: [" + acceptQueue + "connections, connections_max]")
                .contains("jetty families: [" + acceptQueue + "connections]");
        }
        finally {
            child.destroyForcibly();
        }
    }

    /**
     * The child JVM: runs Tomcat, then Jetty, with {@code worker-class=virtual} and
     * prints the saturation families of each.
     */
    static final class VirtualThreadsChild {

        private VirtualThreadsChild() {
        }

        public static void main(String[] args) {
            print("tomcat", TomcatSaturationTests.TomcatApplication.class);
            print("jetty", JettySaturationTests.JettyApplication.class);
        }

        private static void print(String server, Class<?> application) {
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
                .web(WebApplicationType.SERVLET)
                .properties("server.port=0", "server.address=127.0.0.1", "exporter.prometheus.metrics-port=0",
                        "exporter.worker.id=w1", "spring.main.banner-mode=off",
                        "exporter.gunicorn.worker-class=virtual")
                .run()) {
                TreeSet<String> families = new TreeSet<>();
                for (MetricSnapshot snapshot : context.getBean(PrometheusRegistry.class).scrape()) {
                    String name = snapshot.getMetadata().getName();
                    if (name.matches("gunicorn_worker_(threads_.*|requests_waiting|connections.*|accept_queue.*)")) {
                        families.add(name.substring("gunicorn_worker_".length()));
                    }
                }
                System.out.println(server + " families: " + families);
            }
        }

    }

}
