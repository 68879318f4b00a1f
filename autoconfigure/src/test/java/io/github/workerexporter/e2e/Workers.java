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
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.workerexporter.metrics.RequestExposition;

/**
 * Real worker JVMs ({@link E2eWorker}) for the end-to-end tests: starts them with the
 * test classpath and small heaps, their output in a log file each (a dead process's pipe
 * is closed, a file is not), sends them requests from a few client threads over loopback,
 * scrapes their metrics ports (not instrumented, so a scrape never counts as a request)
 * and stops or kills them. {@link #close()} stops every worker still running.
 */
final class Workers implements AutoCloseable {

    /** How long a worker may take to start on a busy machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private static final Pattern READY = Pattern
        .compile(Pattern.quote(E2eWorker.READY) + "http-port=(\\d+) metrics-port=(\\d+)");

    private final Path logs;

    private final List<String> common;

    private final List<Worker> started = new ArrayList<>();

    private final HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();

    /**
     * Workers that all get the common arguments.
     * @param logs where the workers' logs go
     * @param common arguments of every worker, such as
     * {@code --exporter.redis.enabled=true}
     */
    Workers(Path logs, String... common) {
        this.logs = logs;
        this.common = List.of(common);
    }

    /**
     * Start workers in parallel and wait until each one serves.
     * @param ids their worker ids
     * @return the running workers, in the order of the ids
     */
    List<Worker> start(String... ids) {
        List<Process> processes = new ArrayList<>();
        for (String id : ids) {
            processes.add(launch(id));
        }
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            workers.add(awaitReady(ids[i], processes.get(i)));
        }
        return workers;
    }

    /**
     * Send {@code GET /work/{n}} requests to each worker from the given number of client
     * threads in all, and return how many answered 200.
     * @param workers the workers
     * @param requestsEach how many requests each worker gets
     * @param threads the client threads, shared by the workers
     * @return the number of 200 answers; the others are errors
     */
    long load(List<Worker> workers, int requestsEach, int threads) {
        return load(workers, requestsEach, threads, () -> false).ok();
    }

    /**
     * Like {@link #load(List, int, int)}, but each thread stops early once {@code stop}
     * says so.
     * @return the answers
     */
    Load load(List<Worker> workers, int requestsEach, int threads, BooleanSupplier stop) {
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        int perWorker = Math.max(1, threads / workers.size());
        try {
            List<Future<?>> tasks = new ArrayList<>();
            for (Worker worker : workers) {
                for (int t = 0; t < perWorker; t++) {
                    int first = t;
                    tasks.add(executor.submit(() -> {
                        for (int n = first; n < requestsEach && !stop.getAsBoolean(); n += perWorker) {
                            if (get(worker.http("/work/" + n)) == 200) {
                                ok.incrementAndGet();
                            }
                            else {
                                failed.incrementAndGet();
                            }
                        }
                    }));
                }
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
     * Scrape a worker's metrics port.
     * @param worker the worker
     * @return the parsed exposition
     */
    RequestExposition scrape(Worker worker) {
        return scrape(worker, worker.metrics());
    }

    /**
     * Scrape a worker's actuator endpoint, which counts as one request of that worker
     * once it answered.
     * @param worker the worker
     * @return the parsed exposition
     */
    RequestExposition scrapeActuator(Worker worker) {
        return scrape(worker, worker.http("/actuator/prometheus"));
    }

    private RequestExposition scrape(Worker worker, URI uri) {
        try {
            HttpResponse<String> response = this.client.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Scrape of " + worker.id() + ": HTTP " + response.statusCode());
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
     * @param worker the worker
     * @param deadline how long to try
     * @param condition what the exposition should show
     * @return the first exposition that meets it
     * @throws AssertionError with the last exposition when the deadline passed
     */
    RequestExposition awaitScrape(Worker worker, Duration deadline, Predicate<RequestExposition> condition) {
        long end = System.nanoTime() + deadline.toNanos();
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
        throw new AssertionError("The scrape of " + worker.id() + " did not meet the condition within " + deadline
                + "; last scrape:\n" + last);
    }

    /**
     * End a worker with SIGKILL, as {@code kill -9}: no shutdown hook, no last flush.
     * @param worker the worker
     */
    void kill(Worker worker) {
        worker.process().destroyForcibly();
        await(worker.process());
    }

    /**
     * Stop every worker with SIGTERM (a clean exit), SIGKILL for any that hangs.
     */
    @Override
    public void close() {
        for (Worker worker : this.started) {
            worker.process().destroy();
        }
        for (Worker worker : this.started) {
            if (!await(worker.process())) {
                worker.process().destroyForcibly();
                await(worker.process());
            }
        }
    }

    private Process launch(String id) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-Xmx256m", "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), E2eWorker.class.getName(), "--exporter.worker.id=" + id));
        command.addAll(this.common);
        try {
            Path log = logOf(id);
            Files.createDirectories(this.logs);
            return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private Worker awaitReady(String id, Process process) {
        Path log = logOf(id);
        long end = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < end) {
            Optional<Matcher> ready = readyLine(log);
            if (ready.isPresent()) {
                Worker worker = new Worker(id, process, Integer.parseInt(ready.get().group(1)),
                        Integer.parseInt(ready.get().group(2)));
                this.started.add(worker);
                return worker;
            }
            if (!process.isAlive()) {
                break;
            }
            sleep(100);
        }
        process.destroyForcibly();
        throw new AssertionError("Worker " + id + " did not start:\n" + read(log));
    }

    private Optional<Matcher> readyLine(Path log) {
        // A restarted worker appends to the log of its previous life: the last line wins.
        Matcher last = null;
        for (String line : read(log).split("\n")) {
            Matcher matcher = READY.matcher(line);
            if (matcher.matches()) {
                last = matcher;
            }
        }
        return Optional.ofNullable(last);
    }

    private Path logOf(String id) {
        return this.logs.resolve(id + ".log");
    }

    private int get(URI uri) {
        try {
            return this.client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
        }
        catch (IOException ex) {
            return -1;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return -1;
        }
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

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * A running worker JVM.
     *
     * @param id its worker id
     * @param process the process
     * @param httpPort the port of the application
     * @param metricsPort the port of the metrics server
     */
    record Worker(String id, Process process, int httpPort, int metricsPort) {

        URI http(String path) {
            return URI.create("http://127.0.0.1:" + this.httpPort + path);
        }

        URI metrics() {
            return URI.create("http://127.0.0.1:" + this.metricsPort + "/metrics");
        }

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
