package io.github.workerexporter.sample;

import java.lang.management.ManagementFactory;

import org.slf4j.LoggerFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.context.ApplicationListener;

/**
 * A web application with Worker Exporter on its class path and nothing else to set up.
 * <p>
 * With {@code -Dsample.startup-steps=true} (used by {@code benchmarks/load.sh} to measure
 * what the starter adds to start-up) the steps of start-up are recorded and served by the
 * Actuator's {@code startup} endpoint once it is exposed, and the CPU time that the main
 * thread and the whole JVM have used when the application has started is logged.
 *
 * @author Worker Exporter
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(SampleApplication.class);
        if (Boolean.getBoolean("sample.startup-steps")) {
            application.setApplicationStartup(new BufferingApplicationStartup(50_000));
            application.addListeners(new StartupCpuTime());
        }
        application.run(args);
    }

    /**
     * Logs the CPU time used so far by the main thread (which runs Spring's start-up) and
     * by the whole JVM (compilers, collectors and background threads included).
     */
    static final class StartupCpuTime implements ApplicationListener<ApplicationStartedEvent> {

        @Override
        public void onApplicationEvent(ApplicationStartedEvent event) {
            long mainNanos = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            long processNanos = (ManagementFactory
                .getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
                        ? os.getProcessCpuTime() : -1;
            LoggerFactory.getLogger(SampleApplication.class)
                .info("Start-up CPU time: main thread {} ms, process {} ms", mainNanos / 1_000_000,
                        processNanos / 1_000_000);
        }

    }

}
