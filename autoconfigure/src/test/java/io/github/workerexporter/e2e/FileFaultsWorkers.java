package io.github.workerexporter.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.workerexporter.metrics.RequestExposition;

/**
 * Worker JVMs ({@link FileFaultsWorker}) for the shared-directory fault tests. Unlike
 * {@link Workers}, a worker's command may start with a wrapper (such as {@code setpriv},
 * to drop root's power to ignore permission bits), and its output goes through a pipe
 * into the test's memory and a log file: a pipe is not a file, so a worker under a file
 * size limit still logs. {@link #close()} stops every worker still running.
 *
 * @author Worker Exporter
 */
final class FileFaultsWorkers implements AutoCloseable {

    /** How long a worker may take to start (or to fail to) on a busy machine. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    /** How long a condition may take on a busy machine. */
    static final Duration DEADLINE = Duration.ofSeconds(60);

    private static final Pattern READY = Pattern
        .compile(Pattern.quote(E2eWorker.READY) + "http-port=(\\d+) metrics-port=(\\d+)");

    private final Path logs;

    private final List<String> wrapper;

    private final List<String> common;

    private final List<Worker> started = Collections.synchronizedList(new ArrayList<>());

    private final HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();

    /**
     * Workers that all get the same wrapper and arguments.
     * @param logs where the workers' logs go
     * @param wrapper the command before {@code java}, or none
     * @param common arguments of every worker
     */
    FileFaultsWorkers(Path logs, List<String> wrapper, String... common) {
        this.logs = logs;
        this.wrapper = List.copyOf(wrapper);
        this.common = List.of(common);
    }

    /**
     * Start workers in parallel and wait until each one serves.
     * @param ids their worker ids
     * @return the running workers, in the order of the ids
     */
    List<Worker> start(String... ids) {
        List<Worker> launched = new ArrayList<>();
        for (String id : ids) {
            launched.add(launch(id));
        }
        for (Worker worker : launched) {
            awaitReady(worker);
        }
        return launched;
    }

    /**
     * Start a worker that should refuse to start, and wait until it has exited.
     * @param id its worker id
     * @return its log
     */
    String startFailing(String id) {
        Worker worker = launch(id);
        try {
            if (!worker.process().waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("Worker " + id + " neither started nor failed:\n" + worker.log());
            }
            worker.pump().join(10_000);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        if (worker.ready() != null) {
            throw new AssertionError("Worker " + id + " started:\n" + worker.log());
        }
        return worker.log();
    }

    /**
     * Send {@code GET path(n)} for {@code n} in {@code [0, count)} to one worker from the
     * given number of client threads, each stopping early once {@code stop} says so; sent
     * by {@link LoopbackHttp}, which never sends a request twice.
     * @param worker the worker
     * @param count how many requests at most
     * @param threads the client threads
     * @param path the path of request {@code n}
     * @param stop when to stop early
     * @return the answers
     */
    Load load(Worker worker, int count, int threads, IntFunction<String> path, BooleanSupplier stop) {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                tasks.add(executor.submit(() -> {
                    try (LoopbackHttp http = new LoopbackHttp(worker.httpPort())) {
                        for (int n = first; n < count && !stop.getAsBoolean(); n += threads) {
                            if (http.get(path.apply(n)).status() == 200) {
                                ok.incrementAndGet();
                            }
                            else {
                                failed.incrementAndGet();
                            }
                        }
                    }
                }));
            }
            for (Future<?> task : tasks) {
                task.get(10, TimeUnit.MINUTES);
            }
        }
        catch (Exception ex) {
            throw new IllegalStateException("Load failed", ex);
        }
        finally {
            executor.shutdownNow();
        }
        return new Load(ok.get(), failed.get());
    }

    /**
     * Send {@code count} requests {@code GET /work/n} to one worker from two threads.
     * @param worker the worker
     * @param count how many
     * @return the answers
     */
    Load work(Worker worker, int count) {
        return load(worker, count, 2, (n) -> "/work/" + n, () -> false);
    }

    /**
     * Get a worker's metrics port.
     * @param worker the worker
     * @return the status and body
     */
    Answer scrapeRaw(Worker worker) {
        return get(worker.metrics());
    }

    /**
     * Get a worker's actuator endpoint, which counts as one request of that worker.
     * @param worker the worker
     * @return the status and body
     */
    Answer scrapeActuatorRaw(Worker worker) {
        return get(worker.http("/actuator/prometheus"));
    }

    /**
     * Scrape a worker's metrics port.
     * @param worker the worker
     * @return the parsed exposition
     */
    RequestExposition scrape(Worker worker) {
        Answer answer = scrapeRaw(worker);
        if (answer.status() != 200) {
            throw new IllegalStateException("Scrape of " + worker.id() + ": HTTP " + answer.status());
        }
        return RequestExposition.parse(answer.body());
    }

    /**
     * Scrape a worker until its exposition meets the condition.
     * @param worker the worker
     * @param condition what the exposition should show
     * @return the first exposition that meets it
     * @throws AssertionError with the last exposition when the deadline passed
     */
    RequestExposition awaitScrape(Worker worker, Predicate<RequestExposition> condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        String last = "(none)";
        while (System.nanoTime() < end) {
            try {
                RequestExposition exposition = scrape(worker);
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
        throw new AssertionError("The scrape of " + worker.id() + " did not meet the condition within " + DEADLINE
                + "; last scrape:\n" + last);
    }

    /**
     * Wait until a worker's log has a line that contains the text.
     * @param worker the worker
     * @param text the text
     */
    void awaitLog(Worker worker, String text) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < end) {
            if (worker.log().contains(text)) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError(
                "The log of " + worker.id() + " has no '" + text + "' within " + DEADLINE + ":\n" + worker.log());
    }

    /**
     * Stop every worker with SIGTERM (a clean exit), SIGKILL for any that hangs.
     */
    @Override
    public void close() {
        List<Worker> workers;
        synchronized (this.started) {
            workers = new ArrayList<>(this.started);
        }
        for (Worker worker : workers) {
            worker.process().destroy();
        }
        for (Worker worker : workers) {
            if (!await(worker.process())) {
                worker.process().destroyForcibly();
                await(worker.process());
            }
        }
    }

    private Worker launch(String id) {
        List<String> command = new ArrayList<>(this.wrapper);
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx256m", "-Xss512k",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-cp",
                System.getProperty("java.class.path"), FileFaultsWorker.class.getName(), "--exporter.worker.id=" + id));
        command.addAll(this.common);
        try {
            Files.createDirectories(this.logs);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            Worker worker = new Worker(id, process, this.logs.resolve(id + ".log"));
            this.started.add(worker);
            return worker;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void awaitReady(Worker worker) {
        long end = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            if (worker.ready() != null) {
                return;
            }
            if (!worker.process().isAlive()) {
                break;
            }
            sleep(100);
        }
        worker.process().destroyForcibly();
        throw new AssertionError("Worker " + worker.id() + " did not start:\n" + worker.log());
    }

    private Answer get(URI uri) {
        try {
            HttpResponse<String> response = this.client.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        }
        catch (IOException ex) {
            return new Answer(-1, ex.toString());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return new Answer(-1, ex.toString());
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
     * A worker JVM and its output, read by a daemon thread into memory and a log file.
     */
    static final class Worker {

        private final String id;

        private final Process process;

        private final StringBuffer output = new StringBuffer();

        private final Thread pump;

        private volatile Matcher ready;

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

        Thread pump() {
            return this.pump;
        }

        Matcher ready() {
            return this.ready;
        }

        long pid() {
            return this.process.pid();
        }

        /**
         * The worker's output so far.
         * @return its lines
         */
        String log() {
            return this.output.toString();
        }

        /**
         * The lines of the worker's log at WARN that contain the text.
         * @param text the text
         * @return the lines
         */
        List<String> warnings(String text) {
            return log().lines().filter((line) -> line.contains(" WARN ") && line.contains(text)).toList();
        }

        int httpPort() {
            return Integer.parseInt(this.ready.group(1));
        }

        URI http(String path) {
            return URI.create("http://127.0.0.1:" + httpPort() + path);
        }

        URI metrics() {
            return URI.create("http://127.0.0.1:" + this.ready.group(2) + "/metrics");
        }

    }

    /**
     * An HTTP answer.
     *
     * @param status the status, -1 when there was none
     * @param body the body, or the failure
     */
    record Answer(int status, String body) {

    }

    /**
     * The answers to a load.
     *
     * @param ok the requests answered 200
     * @param failed the others (another status, or no answer)
     */
    record Load(long ok, long failed) {

    }

}
