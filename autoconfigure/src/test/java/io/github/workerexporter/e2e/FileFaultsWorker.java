package io.github.workerexporter.e2e;

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
 * A worker JVM for the shared-directory fault tests: as {@link E2eWorker} (Tomcat, every
 * auto-configuration of a starter user, {@code GET /work/{id}}), plus {@code GET
 * /grow/{n}}, which counts {@code fault_series_total{n}}: each new {@code n} is a new
 * series, so the worker's record grows and its file must grow with it, which a full disk
 * refuses. Once ready it prints {@code ready http-port=<port> metrics-port=<port>}.
 *
 * @author Worker Exporter
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
@Import(FileFaultsWorker.FaultController.class)
public class FileFaultsWorker {

    public static void main(String[] args) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(FileFaultsWorker.class)
            .web(WebApplicationType.SERVLET)
            .properties("spring.config.location=optional:classpath:/none/", "spring.main.banner-mode=off",
                    "server.address=127.0.0.1", "server.port=0", "exporter.prometheus.bind-address=127.0.0.1",
                    "management.endpoints.web.exposure.include=prometheus")
            .run(args);
        Environment environment = context.getEnvironment();
        System.out.println(E2eWorker.READY + "http-port=" + environment.getRequiredProperty("local.server.port")
                + " metrics-port=" + environment.getRequiredProperty("local.exporter.metrics-port"));
    }

    @Bean
    TomcatServletWebServerFactory tomcat() {
        return new TomcatServletWebServerFactory();
    }

    @RestController
    static class FaultController {

        private final MeterRegistry registry;

        FaultController(MeterRegistry registry) {
            this.registry = registry;
        }

        @GetMapping("/work/{id}")
        String work(@PathVariable String id) {
            return "done " + id;
        }

        @GetMapping("/grow/{n}")
        String grow(@PathVariable String n) {
            this.registry.counter("fault_series", "n", n).increment();
            return "grown " + n;
        }

    }

}
