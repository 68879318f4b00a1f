package io.github.workerexporter.autoconfigure;

import io.github.workerexporter.environment.EnvironmentManager;
import io.github.workerexporter.environment.JettyWorkerCustomizer;
import io.github.workerexporter.environment.NettyWorkerCustomizer;
import io.github.workerexporter.environment.ServerWorkerPool;
import io.github.workerexporter.environment.TomcatWorkerCustomizer;
import io.github.workerexporter.environment.WorkerPool;
import io.github.workerexporter.environment.WorkerSettings;
import io.github.workerexporter.hooks.ExporterHook;
import io.github.workerexporter.hooks.HookPhase;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Server;
import reactor.netty.http.server.HttpServer;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The original's gunicorn settings applied to the embedded web server
 * (EnvironmentManager): validated when the web server factory is customized, before
 * anything listens, logged once at {@code post_fork}, and a {@link WorkerPool} that
 * resizes the running server's request threads.
 *
 * @author Worker Exporter
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(ConfigurableWebServerFactory.class)
class EmbeddedServerConfiguration {

    @Bean
    @ConditionalOnMissingBean
    WorkerSettings workerSettings(ExporterProperties properties) {
        return EmbeddedServerPropertiesValidator.validate(properties.getGunicorn());
    }

    @Bean
    @ConditionalOnMissingBean
    EnvironmentManager environmentManager(WorkerSettings settings, Environment environment) {
        return new EnvironmentManager(settings, environment);
    }

    @Bean
    @ConditionalOnMissingBean(name = "workerConfigurationHook")
    ExporterHook workerConfigurationHook(EnvironmentManager environmentManager) {
        return ExporterHook.on(HookPhase.POST_FORK, (context) -> environmentManager.logEffectiveSettings());
    }

    @Bean
    @ConditionalOnMissingBean(WorkerPool.class)
    ServerWorkerPool workerPool(ApplicationContext applicationContext) {
        return new ServerWorkerPool(applicationContext);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ ConfigurableTomcatWebServerFactory.class, Tomcat.class })
    static class TomcatWorkerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        TomcatWorkerCustomizer tomcatWorkerCustomizer(EnvironmentManager environmentManager) {
            return new TomcatWorkerCustomizer(environmentManager);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ ConfigurableJettyWebServerFactory.class, Server.class })
    static class JettyWorkerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        JettyWorkerCustomizer jettyWorkerCustomizer(EnvironmentManager environmentManager) {
            return new JettyWorkerCustomizer(environmentManager);
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({ NettyReactiveWebServerFactory.class, HttpServer.class })
    static class NettyWorkerConfiguration {

        @Bean
        @ConditionalOnMissingBean
        NettyWorkerCustomizer nettyWorkerCustomizer(EnvironmentManager environmentManager) {
            return new NettyWorkerCustomizer(environmentManager);
        }

    }

}
