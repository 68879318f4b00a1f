package io.github.workerexporter.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.workerexporter.metrics.RequestExposition;

/**
 * Real worker JVMs ({@link E2eWorker}) for the worker fault tests, one log file per life
 * (so a worker restarted under the same id is found ready by its new life's line, with
 * its new ports), and a steady load that counts the answers of each worker apart, sent by
 * {@link LoopbackHttp}, which never sends a request twice. The JVMs get the test
 * classpath and small heaps; {@link #close()} stops every one still running (SIGTERM,
 * then SIGKILL).
 *
 * @author Worker Exporter
 */
final class WorkerFaultsJvms implements AutoCloseable {

    /** How long a worker may take to start on a busy machine (eight at once). */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private static final Pattern READY = Pattern
        .compile(Pattern.quote(E2eWorker.READY) + "http-port=(\\d+) metrics-port=(\\d+)");

    private final Path logs;

    private final List<String> common;

    private final List<Jvm> started = new ArrayList<>();

    private final AtomicInteger lives = new AtomicInteger();

    private final HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();

    /**
     * Workers that all get the common arguments.
     * @param logs where the workers' logs go
     * @param common arguments of every worker
     */
    WorkerFaultsJvms(Path logs, List<String> common) {
        this.logs = logs;
        this.common = List.copyOf(common);
    }

    /**
     * Launch workers all at once, then wait until each one serves.
     * @param ids their worker ids
     * @return the running workers, in the order of the ids
     */
    List<Jvm> start(String... ids) {
        List<Process> processes = new ArrayList<>();
        List<Path> logFiles = new ArrayList<>();
        for (String id : ids) {
            Path log = this.logs.resolve(id + "-life" + this.lives.incrementAndGet() + ".log");
            logFiles.add(log);
            processes.add(launch(id, log));
        }
        List<Jvm> jvms = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            jvms.add(awaitReady(ids[i], processes.get(i), logFiles.get(i)));
        }
        return jvms;
    }

    /**
     * End a worker with SIGKILL, as {@code kill -9}: no shutdown hook, no last flush.
     * @param jvm the worker
     */
    void kill(Jvm jvm) {
        jvm.process().destroyForcibly();
        await(jvm.process());
    }

    /**
     * Send {@code GET /work/{n}} requests to workers, one client thread each, and count
     * their answers.
     * @param jvms the workers
     * @param count how many requests each
     * @return the requests each one answered 200, in the order of the workers
     */
    List<Long> send(List<Jvm> jvms, int count) {
        ExecutorService executor = Executors.newFixedThreadPool(jvms.size());
        try {
            List<Future<Long>> answers = new ArrayList<>();
            for (Jvm jvm : jvms) {
                answers.add(executor.submit(() -> {
                    long ok = 0;
                    try (LoopbackHttp http = new LoopbackHttp(jvm.httpPort())) {
                        for (int n = 0; n < count; n++) {
                            if (http.get("/work/" + n).status() == 200) {
                                ok++;
                            }
                        }
                    }
                    return ok;
                }));
            }
            List<Long> ok = new ArrayList<>();
            for (Future<Long> answer : answers) {
                ok.add(answer.get(10, TimeUnit.MINUTES));
            }
            return ok;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        catch (ExecutionException | TimeoutException ex) {
            throw new IllegalStateException("Sending failed", ex);
        }
        finally {
            executor.shutdownNow();
        }
    }

    /**
     * Start a steady load on workers, a few client threads each, until closed or the
     * worker dies.
     * @param jvms the workers
     * @param threadsEach client threads per worker
     * @return the running load
     */
    Load load(List<Jvm> jvms, int threadsEach) {
        Load load = new Load();
        for (Jvm jvm : jvms) {
            for (int t = 0; t < threadsEach; t++) {
                Thread thread = new Thread(() -> {
                    try (LoopbackHttp http = new LoopbackHttp(jvm.httpPort())) {
                        for (int n = 0; !load.stop.get() && jvm.process().isAlive(); n++) {
                            if (http.get("/work/" + n).status() == 200) {
                                jvm.ok().incrementAndGet();
                            }
                            else {
                                jvm.failed().incrementAndGet();
                            }
                        }
                    }
                }, "load-" + jvm.id() + "-" + t);
                thread.setDaemon(true);
                thread.start();
                load.threads.add(thread);
            }
        }
        return load;
    }

    /**
     * Scrape a worker's metrics port (not instrumented: a scrape is never a request).
     * @param jvm the worker
     * @return the parsed exposition; parsing fails on a duplicate series
     * @throws IllegalStateException when the answer is not 200
     */
    RequestExposition scrape(Jvm jvm) {
        try {
            HttpResponse<String> response = this.client.send(HttpRequest.newBuilder(jvm.metrics()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(
                        "Scrape of " + jvm.id() + ": HTTP " + response.statusCode() + "\n" + response.body());
            }
            return RequestExposition.parse(response.body());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Scrape a worker until its exposition meets the condition.
     * @param jvm the worker
     * @param deadline how long to try
     * @param condition what the exposition should show
     * @return the first exposition that meets it
     * @throws AssertionError with the last exposition when the deadline passed
     */
    RequestExposition awaitScrape(Jvm jvm, Duration deadline, Predicate<RequestExposition> condition) {
        long end = System.nanoTime() + deadline.toNanos();
        String last = "(none)";
        while (System.nanoTime() < end) {
            try {
                RequestExposition exposition = scrape(jvm);
                if (condition.test(exposition)) {
                    return exposition;
                }
                last = exposition.text();
            }
            catch (RuntimeException ex) {
                last = ex.toString();
            }
            sleep(100);
        }
        throw new AssertionError("The scrape of " + jvm.id() + " did not meet the condition within " + deadline
                + "; last scrape:\n" + last);
    }

    /**
     * The log of one life of a worker.
     * @param jvm the worker
     * @return its standard output and error so far
     */
    String log(Jvm jvm) {
        return read(jvm.log());
    }

    @Override
    public void close() {
        for (Jvm jvm : this.started) {
            jvm.process().destroy();
        }
        for (Jvm jvm : this.started) {
            if (!await(jvm.process())) {
                jvm.process().destroyForcibly();
                await(jvm.process());
            }
        }
    }

    private Process launch(String id, Path log) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx256m", "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), E2eWorker.class.getName(), "--exporter.worker.id=" + id));
        command.addAll(this.common);
        try {
            Files.createDirectories(this.logs);
            return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                .start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private Jvm awaitReady(String id, Process process, Path log) {
        long end = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            for (String line : read(log).split("\n")) {
                Matcher ready = READY.matcher(line);
                if (ready.matches()) {
                    Jvm jvm = new Jvm(id, process, Integer.parseInt(ready.group(1)), Integer.parseInt(ready.group(2)),
                            log, new AtomicLong(), new AtomicLong());
                    this.started.add(jvm);
                    return jvm;
                }
            }
            if (!process.isAlive()) {
                break;
            }
            sleep(100);
        }
        process.destroyForcibly();
        throw new AssertionError("Worker " + id + " did not start:\n" + read(log));
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static boolean await(Process process) {
        try {
            return process.waitFor(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * One life of a worker JVM and the answers it gave to the load.
     *
     * @param id its worker id
     * @param process the process
     * @param httpPort the port of the application
     * @param metricsPort the port of the metrics server
     * @param log its log file
     * @param ok requests it answered 200
     * @param failed requests it did not answer 200 (another status, or no answer)
     */
    record Jvm(String id, Process process, int httpPort, int metricsPort, Path log, AtomicLong ok, AtomicLong failed) {

        URI metrics() {
            return URI.create("http://127.0.0.1:" + this.metricsPort + "/metrics");
        }

    }

    /**
     * A running steady load.
     */
    static final class Load implements AutoCloseable {

        private final AtomicBoolean stop = new AtomicBoolean();

        private final List<Thread> threads = new ArrayList<>();

        /**
         * Stop sending and wait for the requests in flight.
         */
        @Override
        public void close() {
            this.stop.set(true);
            for (Thread thread : this.threads) {
                try {
                    thread.join(TimeUnit.MINUTES.toMillis(1));
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

    }

}
