package io.github.workerexporter.environment;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * gunicorn's command-line options turned into Worker Exporter properties, so that
 * {@code --workers 4 --bind 0.0.0.0:8000} works on a Spring Boot application as on
 * gunicorn. Both {@code --option=value} and {@code --option value} are accepted; any
 * other argument is left to Spring and to the application.
 *
 * @author Worker Exporter
 */
public final class CommandLineOptions {

    private static final Map<String, String> PROPERTIES = Map.of("--workers", "exporter.gunicorn.workers", "-w",
            "exporter.gunicorn.workers", "--bind", "exporter.gunicorn.bind", "-b", "exporter.gunicorn.bind",
            "--worker-class", "exporter.gunicorn.worker-class", "-k", "exporter.gunicorn.worker-class", "--timeout",
            "exporter.gunicorn.timeout", "-t", "exporter.gunicorn.timeout", "--keepalive",
            "exporter.gunicorn.keepalive");

    private CommandLineOptions() {
    }

    /**
     * Find gunicorn's options among the arguments.
     * @param args the command-line arguments
     * @return the properties they set, in the order given (a repeated option keeps its
     * last value)
     * @throws IllegalArgumentException if one of these options has no value
     */
    public static Map<String, String> parse(String[] args) {
        Map<String, String> properties = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int equals = arg.indexOf('=');
            String option = (equals > 0) ? arg.substring(0, equals) : arg;
            String property = PROPERTIES.get(option);
            if (property == null) {
                continue;
            }
            String value;
            if (equals > 0) {
                value = arg.substring(equals + 1);
            }
            else if (i + 1 < args.length && isValue(args[i + 1])) {
                value = args[++i];
            }
            else {
                value = "";
            }
            if (value.isBlank()) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            properties.put(property, value);
        }
        return properties;
    }

    private static boolean isValue(String next) {
        return !next.startsWith("--") && !PROPERTIES.containsKey(next);
    }

}
