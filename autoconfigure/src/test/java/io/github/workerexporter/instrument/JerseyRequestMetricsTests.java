package io.github.workerexporter.instrument;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.github.workerexporter.metrics.RequestExposition;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.glassfish.jersey.server.ResourceConfig;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request metrics of a Jersey application (and a plain servlet) on Tomcat, with route
 * labels: the endpoint is Jersey's matched template, the servlet mapping of a plain
 * servlet, and Jersey's own mapping for a path that Jersey matched to no resource.
 *
 * @author Worker Exporter
 */
@SpringBootTest(classes = JerseyRequestMetricsTests.App.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "spring.main.web-application-type=servlet", "exporter.worker.id=w1",
                "exporter.metrics.route-labels=true", "exporter.prometheus.metrics-port=0",
                "spring.jersey.application-path=/api" })
class JerseyRequestMetricsTests {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @LocalServerPort
    private int port;

    @Autowired
    private PrometheusRegistry registry;

    @Test
    void labelsAJerseyRequestWithJerseysMatchedTemplate() throws Exception {
        assertThat(get("/api/users/7").body()).isEqualTo("user 7");
        assertThat(get("/api/users/8").body()).isEqualTo("user 8");
        assertThat(await(requests("GET", "/api/users/{id}", "200"), 2)).isEqualTo(2);
    }

    @Test
    void labelsAPlainServletWithItsMapping() throws Exception {
        assertThat(get("/legacy/anything/123").body()).isEqualTo("legacy");
        assertThat(await(requests("GET", "/legacy/*", "200"), 1)).isEqualTo(1);
    }

    @Test
    void labelsAPathJerseyMatchedToNoResourceWithJerseysMapping() throws Exception {
        assertThat(get("/api/nothing/42").statusCode()).isEqualTo(404);
        assertThat(await(requests("GET", "/api/*", "404"), 1)).isEqualTo(1);
        assertThat(RequestExposition.scrape(this.registry).series("gunicorn_worker_requests_total"))
            .noneMatch((series) -> series.contains("/nothing/"));
    }

    private double await(String key, double expected) throws InterruptedException {
        for (int i = 0; i < 500 && RequestExposition.scrape(this.registry).value(key) < expected; i++) {
            Thread.sleep(10);
        }
        return RequestExposition.scrape(this.registry).value(key);
    }

    private static String requests(String method, String endpoint, String status) {
        return "gunicorn_worker_requests_total{endpoint=\"" + endpoint + "\",method=\"" + method + "\",status=\""
                + status + "\",worker_id=\"w1\"}";
    }

    private HttpResponse<String> get(String path) throws Exception {
        return this.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {

        @Bean
        TomcatServletWebServerFactory tomcat() {
            return new TomcatServletWebServerFactory();
        }

        @Bean
        ResourceConfig jersey() {
            return new ResourceConfig(UsersResource.class);
        }

        @Bean
        ServletRegistrationBean<HttpServlet> legacy() {
            return new ServletRegistrationBean<>(new LegacyServlet(), "/legacy/*");
        }

    }

    @Path("/users")
    public static class UsersResource {

        @GET
        @Path("/{id}")
        public String user(@PathParam("id") int id) {
            return "user " + id;
        }

    }

    static class LegacyServlet extends HttpServlet {

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
            response.getWriter().write("legacy");
        }

    }

}
