package io.github.workerexporter.hooks;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The hooks run at the real events of a real web application, in the original's order,
 * each once, and a user's hooks run in {@code @Order}.
 */
class ExporterLifecycleTests {

    static final List<String> calls = new CopyOnWriteArrayList<>();

    @Test
    void runsEachPhaseOnceInTheOriginalsOrderOnARealServer() {
        calls.clear();
        ConfigurableApplicationContext context = app().run();
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        calls.removeIf((call) -> call.startsWith("listening"));
        assertThat(calls).containsExactly("second:on_starting:null", "first:on_starting:null",
                "second:post_fork:" + port, "first:post_fork:" + port, "second:when_ready:" + port,
                "first:when_ready:" + port);
        calls.clear();
        context.close();
        calls.removeIf((call) -> call.startsWith("listening"));
        assertThat(calls).containsExactly("second:worker_int:" + port, "first:worker_int:" + port,
                "second:on_exit:" + port, "first:on_exit:" + port);
    }

    @Test
    void onStartingRunsBeforeTheServerListensAndOnExitAfterItStopped() {
        calls.clear();
        ConfigurableApplicationContext context = app().run();
        context.close();
        assertThat(calls).filteredOn((call) -> call.startsWith("listening"))
            .containsExactly("listening:on_starting:false", "listening:post_fork:true", "listening:when_ready:true",
                    "listening:worker_int:true", "listening:on_exit:false");
    }

    @Test
    void redisWhenReadyRunsAfterWhenReadyWhenRedisIsEnabled() {
        calls.clear();
        try (ConfigurableApplicationContext context = app().properties("exporter.redis.enabled=true").run()) {
            assertThat(calls).filteredOn((call) -> call.startsWith("first:"))
                .map((call) -> call.split(":")[1])
                .containsExactly("on_starting", "post_fork", "when_ready", "redis_when_ready");
        }
    }

    @Test
    void aFailingHookWithFailFastFailsStartUp() {
        Throwable failure = catchThrowable(
                () -> app().properties("exporter.hooks.fail-fast=true", "test.fail-in=post_fork").run());
        HookExecutionException cause = findHookFailure(failure);
        assertThat(cause).isNotNull();
        assertThat(cause.getHookName()).isEqualTo("failing");
        assertThat(cause.getPhase()).isEqualTo(HookPhase.POST_FORK);
    }

    @Test
    void aFailingHookWithoutFailFastLetsStartUpContinue() {
        calls.clear();
        try (ConfigurableApplicationContext context = app().properties("test.fail-in=post_fork").run()) {
            assertThat(context.isActive()).isTrue();
            assertThat(calls)
                .contains("first:when_ready:" + ((WebServerApplicationContext) context).getWebServer().getPort());
        }
    }

    private static HookExecutionException findHookFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof HookExecutionException hookFailure) {
                return hookFailure;
            }
        }
        return null;
    }

    private static SpringApplicationBuilder app() {
        return new SpringApplicationBuilder(HookApp.class).web(WebApplicationType.SERVLET)
            .properties("server.port=0", "spring.main.banner-mode=off", "exporter.prometheus.metrics-port=0");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class, WorkerExporterAutoConfiguration.class })
    static class HookApp {

        @Bean
        @Order(2)
        ExporterHook first() {
            return (context) -> calls.add("first:" + context.phase().hookName() + ":" + context.serverPort());
        }

        @Bean
        @Order(1)
        ExporterHook second() {
            return (context) -> calls.add("second:" + context.phase().hookName() + ":" + context.serverPort());
        }

        @Bean
        ExporterHook listening() {
            return (context) -> {
                boolean listening = false;
                if (context.serverPort() != null) {
                    try (java.net.Socket socket = new java.net.Socket()) {
                        socket.connect(new java.net.InetSocketAddress("127.0.0.1", context.serverPort()), 1000);
                        listening = true;
                    }
                    catch (java.io.IOException ex) {
                        listening = false;
                    }
                }
                calls.add("listening:" + context.phase().hookName() + ":" + listening);
            };
        }

        @Bean
        ExporterHook failing(org.springframework.core.env.Environment environment) {
            return (context) -> {
                if (context.phase().hookName().equals(environment.getProperty("test.fail-in"))) {
                    throw new IllegalStateException("hook failure");
                }
            };
        }

    }

}
