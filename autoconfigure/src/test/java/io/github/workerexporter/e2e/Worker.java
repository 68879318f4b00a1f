package io.github.workerexporter.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One life of a worker JVM started by {@link Workers}: its process, its output, its ports
 * once it printed its ready line, and the requests the test sent it.
 * <p>
 * The output goes through a pipe, read by a daemon thread into memory and into a log file
 * of this life: a pipe is not a file, so a worker under a file size limit still logs, and
 * a worker restarted under the same id is found ready by the line of its new life, with
 * its new ports.
 *
 * @author Worker Exporter
 */
final class Worker {

    /**
     * The line a JVM prints once ready: {@link E2eWorker#READY} and its ports, or
     * {@link E2eWorker#READY} alone from a JVM that serves no HTTP.
     */
    private static final Pattern READY = Pattern
        .compile(Pattern.quote(E2eWorker.READY) + "(?: http-port=(\\d+) metrics-port=(\\d+))?");

    private final String id;

    private final Process process;

    private final StringBuffer output = new StringBuffer();

    private final Thread pump;

    private volatile Matcher ready;

    private final AtomicLong ok = new AtomicLong();

    private final AtomicLong failed = new AtomicLong();

    private final AtomicLong other = new AtomicLong();

    /**
     * A life that starts reading the output of its process.
     * @param id the worker id
     * @param process the process
     * @param log the log file of this life
     */
    Worker(String id, Process process, Path log) {
        this.id = id;
        this.process = process;
        this.pump = new Thread(() -> pump(log), "output-of-" + id);
        this.pump.setDaemon(true);
        this.pump.start();
    }

    private void pump(Path log) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
                Writer file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                this.output.append(line).append('\n');
                file.write(line + "\n");
                file.flush();
                Matcher matcher = READY.matcher(line);
                if (matcher.matches()) {
                    this.ready = matcher;
                }
            }
        }
        catch (IOException ex) {
            this.output.append("(output lost: ").append(ex).append(")\n");
        }
    }

    String id() {
        return this.id;
    }

    Process process() {
        return this.process;
    }

    long pid() {
        return this.process.pid();
    }

    /**
     * Whether the JVM printed its ready line.
     * @return whether it did
     */
    boolean ready() {
        return this.ready != null;
    }

    /**
     * Wait until the JVM's output ended, after it exited.
     * @throws InterruptedException when interrupted
     */
    void awaitOutput() throws InterruptedException {
        this.pump.join(10_000);
    }

    /**
     * The output of this life so far.
     * @return its lines
     */
    String log() {
        return this.output.toString();
    }

    /**
     * The lines of the log at WARN that contain the text.
     * @param text the text
     * @return the lines
     */
    List<String> warnings(String text) {
        return log().lines().filter((line) -> line.contains(" WARN ") && line.contains(text)).toList();
    }

    int httpPort() {
        return Integer.parseInt(this.ready.group(1));
    }

    URI metrics() {
        return URI.create("http://127.0.0.1:" + this.ready.group(2) + "/metrics");
    }

    /**
     * Count the answer to a request sent to the application.
     * @param path the path of the request
     * @param status the status of the answer, {@code -1} when there was none
     */
    void count(String path, int status) {
        if (E2eWorker.counts(path) && status == 200) {
            this.ok.incrementAndGet();
        }
        else if (!E2eWorker.counts(path) && status > 0) {
            this.other.incrementAndGet();
        }
        else {
            this.failed.incrementAndGet();
        }
    }

    /**
     * The requests to a path the application counts ({@link E2eWorker#counts}) that were
     * answered 200.
     * @return their number
     */
    long ok() {
        return this.ok.get();
    }

    /**
     * The requests not answered 200 by a path the application counts, and the requests to
     * other paths not answered at all.
     * @return their number
     */
    long failed() {
        return this.failed.get();
    }

    /**
     * The requests answered by a path the application does not count, such as
     * {@code /actuator/prometheus}.
     * @return their number
     */
    long other() {
        return this.other.get();
    }

}
