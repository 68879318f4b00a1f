package io.github.workerexporter.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;

/**
 * A web application with Worker Exporter on its class path and nothing else to set up.
 * <p>
 * With {@code -Dsample.startup-steps=true} (used by {@code benchmarks/load.sh} to measure
 * what the starter adds to start-up) the steps of start-up are recorded and served by the
 * Actuator's {@code startup} endpoint once it is exposed.
 *
 * @author Worker Exporter
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(SampleApplication.class);
        if (Boolean.getBoolean("sample.startup-steps")) {
            application.setApplicationStartup(new BufferingApplicationStartup(50_000));
        }
        application.run(args);
    }

}
