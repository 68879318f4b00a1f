package io.github.workerexporter.autoconfigure;

import java.util.Map;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Starts real applications whose environment variables are given by the test, so every
 * level of precedence can be exercised in one JVM.
 */
final class TestApplications {

    private TestApplications() {
    }

    static ConfigurableApplicationContext run(Map<String, Object> variables, String... args) {
        return builder(variables).run(args);
    }

    static SpringApplicationBuilder builder(Map<String, Object> variables) {
        return new SpringApplicationBuilder(Minimal.class).web(WebApplicationType.NONE)
            .environment(withVariables(variables))
            .properties("spring.config.location=optional:classpath:/none/", "spring.main.banner-mode=off");
    }

    static StandardEnvironment withVariables(Map<String, Object> variables) {
        return new StandardEnvironment() {

            @Override
            protected void customizePropertySources(MutablePropertySources sources) {
                super.customizePropertySources(sources);
                sources.replace(SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        new SystemEnvironmentPropertySource(SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
            }

        };
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(WorkerExporterAutoConfiguration.class)
    static class Minimal {

    }

}
