package io.github.workerexporter.e2e;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A real worker JVM for the end-to-end tests: a Spring MVC application on Tomcat (its own
 * factory bean, so Jetty, also on the test classpath, backs off) with every
 * auto-configuration of a starter user, {@code GET /work/{id}}, {@code GET /grow/{n}},
 * {@code GET /oom} and {@code GET /oom-thread}, and the arguments the test gives
 * ({@code --exporter.worker.id=w1 ...}). Once ready it prints
 * {@code ready http-port=<port> metrics-port=<port>} on standard output.
 * <p>
 * {@code /grow/{n}} counts {@code fault_series_total{n}}: each new {@code n} is a new
 * series, so the worker's record grows and its file must grow with it, which a full disk
 * refuses.
 * <p>
 * {@code /oom} fills the heap until an {@link OutOfMemoryError} escapes the request (the
 * memory is free again once it has); {@code /oom-thread} does the same on a thread of its
 * own, which the error ends, and answers once it has.
 * <p>
 * The application counts the requests it handled itself, in a Micrometer counter
 * ({@value #HANDLED}, {@code e2e_handled_requests_total{worker_id}} in the merged view):
 * the reference that the exporter's {@code gunicorn_worker_requests_total} must equal,
 * counted by the server and not by the test's HTTP client.
 *
 * @author Worker Exporter
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(E2eWorker.WorkController.class)
public class E2eWorker {

    /** The line a worker prints once ready, before its ports. */
    static final String READY = "ready";

    /** The Micrometer counter of the requests the application handled. */
    static final String HANDLED = "e2e.handled.requests";

    /**
     * Whether the application counts a request to the path in {@value #HANDLED}.
     * @param path the path of a request
     * @return whether it does
     */
    static boolean counts(String path) {
        return path.startsWith("/work/") || path.startsWith("/grow/");
    }

    public static void main(String[] args) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(E2eWorker.class)
            .web(WebApplicationType.SERVLET)
            .properties("spring.config.location=optional:classpath:/none/", "spring.main.banner-mode=off",
                    "server.address=127.0.0.1", "server.port=0", "exporter.prometheus.bind-address=127.0.0.1",
                    "management.endpoints.web.exposure.include=prometheus")
            .run(args);
        Environment environment = context.getEnvironment();
        System.out.println(READY + " http-port=" + environment.getRequiredProperty("local.server.port")
                + " metrics-port=" + environment.getRequiredProperty("local.exporter.metrics-port"));
    }

    @Bean
    TomcatServletWebServerFactory tomcat() {
        return new TomcatServletWebServerFactory();
    }

    @RestController
    static class WorkController {

        private final MeterRegistry registry;

        private final Counter handled;

        WorkController(MeterRegistry registry) {
            this.registry = registry;
            this.handled = registry.counter(HANDLED);
        }

        @GetMapping("/work/{id}")
        String work(@PathVariable String id) {
            this.handled.increment();
            return "done " + id;
        }

        @GetMapping("/grow/{n}")
        String grow(@PathVariable String n) {
            this.handled.increment();
            this.registry.counter("fault_series", "n", n).increment();
            return "grown " + n;
        }

        @GetMapping("/oom")
        String oom() {
            return "filled " + fillHeap();
        }

        @GetMapping("/oom-thread")
        String oomThread() throws InterruptedException {
            Thread thread = new Thread(WorkController::fillHeap, "oom");
            thread.start();
            thread.join();
            return "thread ended";
        }

        private static int fillHeap() {
            List<long[]> filled = new ArrayList<>();
            while (true) {
                filled.add(new long[4 * 1024 * 1024]);
            }
        }

    }

}
