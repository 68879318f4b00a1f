package io.github.workerexporter.reliability;

import java.util.ArrayList;
import java.util.List;

import io.github.workerexporter.metrics.RequestExposition;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.http.HttpServletRequest;
import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The applications the hostile requests are sent to: the same routes in Spring MVC on
 * Tomcat and in WebFlux on Reactor Netty, started with the exporter on or off.
 * <ul>
 * <li>{@code /users/{id}}: any id, 200;</li>
 * <li>{@code /items/{id}}: a whole number, else 400 (a framework-handled error);</li>
 * <li>{@code /raw/**}: a hostile mapping that reports the raw path as its route template
 * and answers 500, so every distinct path is a new label set: only the label-set cap
 * bounds it.</li>
 * </ul>
 *
 * @author Worker Exporter
 */
final class HostileApps {

    /** The label-set cap of the applications with the exporter on. */
    static final int MAX_LABEL_SETS = 50;

    /** Route templates of the applications. */
    static final List<String> TEMPLATES = List.of("/users/{id}", "/items/{id}");

    /** The methods that may appear as a method label. */
    static final List<String> METHOD_LABELS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
            "TRACE", "CONNECT", "OTHER");

    private HostileApps() {
    }

    /**
     * Start an application on any free ports.
     * @param server the server
     * @param exporter whether the exporter is enabled
     * @return the running application
     */
    static ConfigurableApplicationContext start(Server server, boolean exporter) {
        List<String> properties = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
                "spring.config.location=optional:classpath:/none/", "exporter.enabled=" + exporter,
                "exporter.worker.id=w1", "exporter.metrics.max-label-sets=" + MAX_LABEL_SETS,
                "exporter.prometheus.metrics-port=0", "exporter.prometheus.bind-address=127.0.0.1",
                "management.endpoints.web.exposure.include=prometheus",
                // Spring warns of every rejected path and method, with the exporter or
                // without.
                "logging.level.org.springframework.web=error"));
        return new SpringApplicationBuilder(server.application).web(server.type)
            .properties(properties.toArray(String[]::new))
            .run();
    }

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static RequestExposition scrape(ConfigurableApplicationContext context) {
        return RequestExposition.scrape(context.getBean(PrometheusRegistry.class));
    }

    /**
     * The servers, each with its application.
     */
    enum Server {

        TOMCAT(ServletApp.class, WebApplicationType.SERVLET), NETTY(ReactiveApp.class, WebApplicationType.REACTIVE);

        private final Class<?> application;

        private final WebApplicationType type;

        Server(Class<?> application, WebApplicationType type) {
            this.application = application;
            this.type = type;
        }

    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(ServletRoutes.class)
    static class ServletApp {

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }

    }

    @RestController
    static class ServletRoutes {

        @GetMapping("/users/{id}")
        String user(@PathVariable String id) {
            return "user " + id.length();
        }

        @GetMapping("/items/{id}")
        String item(@PathVariable int id) {
            return "item " + id;
        }

        @RequestMapping("/raw/**")
        ResponseEntity<String> raw(HttpServletRequest request) {
            request.setAttribute(org.springframework.web.servlet.HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE,
                    request.getRequestURI());
            return ResponseEntity.status(500).body("raw");
        }

    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(ReactiveRoutes.class)
    static class ReactiveApp {

        @Bean
        NettyReactiveWebServerFactory netty() {
            return new NettyReactiveWebServerFactory();
        }

    }

    @RestController
    static class ReactiveRoutes {

        @GetMapping("/users/{id}")
        Mono<String> user(@PathVariable String id) {
            return Mono.just("user " + id.length());
        }

        @GetMapping("/items/{id}")
        Mono<String> item(@PathVariable int id) {
            return Mono.just("item " + id);
        }

        @RequestMapping("/raw/**")
        Mono<ResponseEntity<String>> raw(ServerWebExchange exchange) {
            String path = exchange.getRequest().getPath().value();
            exchange.getAttributes()
                .put(org.springframework.web.reactive.HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE,
                        PathPatternParser.defaultInstance.parse(path));
            return Mono.just(ResponseEntity.status(500).body("raw"));
        }

    }

}
