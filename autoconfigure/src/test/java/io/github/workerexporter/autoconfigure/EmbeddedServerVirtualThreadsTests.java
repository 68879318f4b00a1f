package io.github.workerexporter.autoconfigure;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import io.github.workerexporter.testing.LoopbackHttp;
import io.github.workerexporter.testing.LoopbackHttp.Answer;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.ServletContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests of worker class {@code virtual} in a child JVM of Java 21 or later (this build
 * runs on Java 17), given by {@code WORKER_EXPORTER_JAVA21_HOME} or found at the Temurin
 * 25 location; skipped when there is none.
 *
 * @author Worker Exporter
 */
class EmbeddedServerVirtualThreadsTests {

    private static final Path DEFAULT_JAVA_HOME = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");

    @Test
    void tomcatServesRequestsOnVirtualThreads() throws Exception {
        String home = System.getenv("WORKER_EXPORTER_JAVA21_HOME");
        Path java = ((home != null) ? Path.of(home) : DEFAULT_JAVA_HOME).resolve("bin/java");
        assumeTrue(Files.isExecutable(java), "no Java 21+ at " + java);
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                VirtualThreadsApplication.class.getName())
            .redirectErrorStream(true)
            .start();
        try {
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(output).contains("request thread: VirtualThread[").contains("tomcat-handler-");
            assertThat(child.exitValue()).as(output).isZero();
        }
        finally {
            child.destroyForcibly();
        }
    }

    /**
     * The child JVM: runs Tomcat with {@code worker-class=virtual}, sends it one request
     * and prints the thread that served it.
     */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class, WorkerExporterAutoConfiguration.class })
    static class VirtualThreadsApplication {

        @Bean
        ServletContextInitializer threadServlet() {
            return (servletContext) -> servletContext.addServlet("thread", new ThreadServlet()).addMapping("/thread");
        }

        public static void main(String[] args) throws Exception {
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(VirtualThreadsApplication.class)
                .web(WebApplicationType.SERVLET)
                .properties(EmbeddedServerTestSupport.properties("exporter.gunicorn.worker-class=virtual"))
                .run()) {
                int port = ((WebServerApplicationContext) context).getWebServer().getPort();
                Answer response = LoopbackHttp.getOnce(port, "/thread");
                System.out.println("request thread: " + response.body());
            }
        }

    }

    static class ThreadServlet extends HttpServlet {

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            try (PrintWriter writer = response.getWriter()) {
                writer.print(Thread.currentThread());
            }
        }

    }

}
