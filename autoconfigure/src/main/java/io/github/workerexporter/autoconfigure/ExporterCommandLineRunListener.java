package io.github.workerexporter.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.workerexporter.environment.CommandLineOptions;

import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;

/**
 * Adds the original's gunicorn command-line options ({@code --workers 4},
 * {@code --bind 0.0.0.0:8000}, {@code --worker-class}, {@code --timeout},
 * {@code --keepalive}, as {@code --opt value} or {@code --opt=value}) to the environment
 * at the precedence of the command line, right after Spring's own command-line arguments.
 * Spring does not parse {@code --opt value}, so this listener reads the raw arguments.
 *
 * @author Worker Exporter
 */
public class ExporterCommandLineRunListener implements SpringApplicationRunListener, Ordered {

    /**
     * Name of the property source of the original's command-line options.
     */
    public static final String SOURCE = "exporterCommandLine";

    private final String[] args;

    /**
     * Create a listener (called by Spring Boot).
     * @param application the application
     * @param args the raw command-line arguments
     */
    public ExporterCommandLineRunListener(SpringApplication application, String[] args) {
        this.args = args.clone();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }

    @Override
    public void environmentPrepared(ConfigurableBootstrapContext bootstrapContext,
            ConfigurableEnvironment environment) {
        Map<String, Object> options;
        try {
            options = new LinkedHashMap<>(CommandLineOptions.parse(this.args));
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidExporterPropertyException("command line", String.join(" ", this.args), ex.getMessage(),
                    "give each of --workers, --bind, --worker-class, --timeout and --keepalive a value, "
                            + "as '--workers 4' or '--workers=4'",
                    ex);
        }
        if (options.isEmpty()) {
            return;
        }
        MutablePropertySources sources = environment.getPropertySources();
        MapPropertySource source = new MapPropertySource(SOURCE, options);
        String springArgs = CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME;
        if (sources.contains(springArgs)) {
            sources.addAfter(springArgs, source);
        }
        else {
            sources.addFirst(source);
        }
    }

}
