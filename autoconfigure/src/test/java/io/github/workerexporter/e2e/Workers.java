package io.github.workerexporter.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.workerexporter.e2e.LoopbackHttp.Answer;
import io.github.workerexporter.metrics.RequestExposition;

/**
 * Real worker JVMs ({@link E2eWorker}) for the end-to-end tests: starts them with the
 * test classpath and small heaps, their output in a log file each (a dead process's pipe
 * is closed, a file is not), sends them requests from a few client threads over loopback,
 * scrapes their metrics ports (not instrumented, so a scrape never counts as a request)
 * and stops or kills them. {@link #close()} stops every worker still running.
 * <p>
 * <b>Exact totals.</b> Every request goes through {@link LoopbackHttp}, which never sends
 * a request twice, and is counted per worker: answered 200 by a path the application
 * counts itself ({@link E2eWorker#HANDLED}), failed, or answered by another path (such as
 * {@code /actuator/prometheus}). {@link #exact} compares the merged view with the
 * application's own count, not with the client's: the exporter's
 * {@code gunicorn_worker_requests_total} of a worker must equal the requests its
 * application handled plus the other requests it answered, and the application must have
 * handled at least the requests answered 200.
 *
 * @author Worker Exporter
 */
final class Workers implements AutoCloseable {

    /** How long a worker may take to start on a busy machine. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private static final Pattern READY = Pattern
        .compile(Pattern.quote(E2eWorker.READY) + "http-port=(\\d+) metrics-port=(\\d+)");

    private final Path logs;

    private final List<String> common;

    private final List<Worker> started = new ArrayList<>();

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
     * Send {@code each} requests {@code GET /work/n} to each worker from
     * {@code threadsEach} client threads per worker, and wait for the answers.
     * @param workers the workers
     * @param each how many requests each worker gets
     * @param threadsEach the client threads of each worker
     * @return the answers
     */
    Load send(List<Worker> workers, int each, int threadsEach) {
        return load(workers, each, threadsEach).await();
    }

    /**
     * Start sending {@code GET /work/n} requests to each worker from {@code threadsEach}
     * client threads per worker, until each worker had {@code each} requests, the load is
     * stopped or the worker died.
     * @param workers the workers
     * @param each how many requests each worker gets at most
     * @param threadsEach the client threads of each worker
     * @return the running load
     */
    Load load(List<Worker> workers, int each, int threadsEach) {
        Load load = new Load();
        for (Worker worker : workers) {
            for (int t = 0; t < threadsEach; t++) {
                int first = t;
                load.run(worker, "load-" + worker.id() + "-" + t, () -> {
                    try (LoopbackHttp http = new LoopbackHttp(worker.httpPort())) {
                        for (int n = first; n < each && !load.stopped()
                                && worker.process().isAlive(); n += threadsEach) {
                            load.count(worker, request(worker, http, "/work/" + n));
                        }
                    }
                });
            }
        }
        return load;
    }

    /**
     * Send one request to a worker's application, counted as one of its requests once
     * answered.
     * @param worker the worker
     * @param path the path
     * @return the answer
     */
    Answer get(Worker worker, String path) {
        try (LoopbackHttp http = new LoopbackHttp(worker.httpPort())) {
            return request(worker, http, path);
        }
    }

    /**
     * Scrape a worker's metrics port.
     * @param worker the worker
     * @return the parsed exposition
     * @throws IllegalStateException when the answer is not 200
     */
    RequestExposition scrape(Worker worker) {
        return parse(worker, scrapeRaw(worker));
    }

    /**
     * Get a worker's metrics port.
     * @param worker the worker
     * @return the answer
     */
    Answer scrapeRaw(Worker worker) {
        return LoopbackHttp.getOnce(worker.metrics());
    }

    /**
     * Scrape a worker's actuator endpoint, which counts as one request of that worker
     * once it answered.
     * @param worker the worker
     * @return the parsed exposition
     */
    RequestExposition scrapeActuator(Worker worker) {
        return parse(worker, get(worker, "/actuator/prometheus"));
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
     * Scrape a worker until its merged view is {@link #exact} for the workers, and print
     * how many requests each application handled beyond those answered 200.
     * @param observer the worker to scrape
     * @param deadline how long to try
     * @param workers the workers whose totals must be exact
     * @return the first exact exposition
     * @throws AssertionError with the differences and the last exposition when the
     * deadline passed
     */
    RequestExposition awaitExact(Worker observer, Duration deadline, Collection<Worker> workers) {
        return awaitExact(observer, deadline, workers, (exposition) -> true);
    }

    /**
     * Like {@link #awaitExact(Worker, Duration, Collection)}, with a condition more.
     * @param observer the worker to scrape
     * @param deadline how long to try
     * @param workers the workers whose totals must be exact
     * @param condition what the exposition should show besides
     * @return the first exact exposition that meets the condition
     */
    RequestExposition awaitExact(Worker observer, Duration deadline, Collection<Worker> workers,
            Predicate<RequestExposition> condition) {
        Map<String, String> last = new LinkedHashMap<>();
        try {
            RequestExposition exact = awaitScrape(observer, deadline, (exposition) -> {
                last.clear();
                last.putAll(differences(exposition, workers));
                return last.isEmpty() && condition.test(exposition);
            });
            for (Worker worker : workers) {
                long more = (long) handled(exact, worker.id()) - worker.ok();
                if (more > 0) {
                    System.out.printf("%s handled %d requests more than the client saw answered 200 (%d failed)%n",
                            worker.id(), more, worker.failed());
                }
            }
            return exact;
        }
        catch (AssertionError ex) {
            throw new AssertionError("Not exact: " + last + "\n" + ex.getMessage(), ex);
        }
    }

    /**
     * Whether the merged view shows for each worker exactly the requests its application
     * handled plus the other requests it answered, and its application handled at least
     * the requests answered 200.
     * @param exposition the merged view
     * @param workers the workers
     * @return whether it does
     */
    static boolean exact(RequestExposition exposition, Collection<Worker> workers) {
        return differences(exposition, workers).isEmpty();
    }

    private static Map<String, String> differences(RequestExposition exposition, Collection<Worker> workers) {
        Map<String, String> differences = new LinkedHashMap<>();
        for (Worker worker : workers) {
            double requests = requests(exposition, worker.id());
            double handled = handled(exposition, worker.id());
            if (requests != handled + worker.other() || handled < worker.ok()) {
                differences.put(worker.id(), "gunicorn_worker_requests_total " + requests + ", handled " + handled
                        + " + other " + worker.other() + ", answered 200 " + worker.ok());
            }
        }
        return differences;
    }

    /**
     * The merged {@code gunicorn_worker_requests_total} of a worker.
     * @param exposition the merged view
     * @param workerId the worker id
     * @return its value, 0 when absent
     */
    static double requests(RequestExposition exposition, String workerId) {
        return exposition.value("gunicorn_worker_requests_total{worker_id=\"" + workerId + "\"}");
    }

    /**
     * The requests a worker's application counted itself ({@link E2eWorker#HANDLED}).
     * @param exposition the merged view
     * @param workerId the worker id
     * @return its value, 0 when absent
     */
    static double handled(RequestExposition exposition, String workerId) {
        return exposition.value("e2e_handled_requests_total{worker_id=\"" + workerId + "\"}");
    }

    /**
     * The sum of the merged {@code gunicorn_worker_requests_total}.
     * @param exposition the merged view
     * @return the sum
     */
    static double total(RequestExposition exposition) {
        return exposition.series("gunicorn_worker_requests_total").stream().mapToDouble(exposition::value).sum();
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

    private static Answer request(Worker worker, LoopbackHttp http, String path) {
        Answer answer = http.get(path);
        if (E2eWorker.counts(path) && answer.status() == 200) {
            worker.ok.incrementAndGet();
        }
        else if (!E2eWorker.counts(path) && answer.status() > 0) {
            worker.other.incrementAndGet();
        }
        else {
            worker.failed.incrementAndGet();
        }
        return answer;
    }

    private static RequestExposition parse(Worker worker, Answer answer) {
        if (answer.status() != 200) {
            throw new IllegalStateException(
                    "Scrape of " + worker.id() + ": HTTP " + answer.status() + "\n" + answer.body());
        }
        return RequestExposition.parse(answer.body());
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
     * One life of a worker JVM, and the requests the test sent it through
     * {@link Workers}.
     */
    static final class Worker {

        private final String id;

        private final Process process;

        private final int httpPort;

        private final int metricsPort;

        private final AtomicLong ok = new AtomicLong();

        private final AtomicLong failed = new AtomicLong();

        private final AtomicLong other = new AtomicLong();

        Worker(String id, Process process, int httpPort, int metricsPort) {
            this.id = id;
            this.process = process;
            this.httpPort = httpPort;
            this.metricsPort = metricsPort;
        }

        String id() {
            return this.id;
        }

        Process process() {
            return this.process;
        }

        int httpPort() {
            return this.httpPort;
        }

        URI metrics() {
            return URI.create("http://127.0.0.1:" + this.metricsPort + "/metrics");
        }

        /**
         * The requests to a path the application counts that were answered 200.
         * @return their number
         */
        long ok() {
            return this.ok.get();
        }

        /**
         * The requests not answered 200 by a path the application counts, or not
         * answered.
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

    /**
     * Client threads sending requests to workers, and the answers they had.
     */
    static final class Load {

        private final AtomicBoolean stop = new AtomicBoolean();

        private final List<Thread> threads = new ArrayList<>();

        private final AtomicLong ok = new AtomicLong();

        private final AtomicLong failed = new AtomicLong();

        private final Map<Worker, AtomicLong> okOf = new LinkedHashMap<>();

        private void run(Worker worker, String name, Runnable requests) {
            this.okOf.putIfAbsent(worker, new AtomicLong());
            Thread thread = new Thread(requests, name);
            thread.setDaemon(true);
            this.threads.add(thread);
            thread.start();
        }

        private boolean stopped() {
            return this.stop.get();
        }

        private void count(Worker worker, Answer answer) {
            if (answer.status() == 200) {
                this.ok.incrementAndGet();
                this.okOf.get(worker).incrementAndGet();
            }
            else {
                this.failed.incrementAndGet();
            }
        }

        /**
         * Stop sending and wait for the requests in flight.
         * @return this load
         */
        Load stop() {
            this.stop.set(true);
            return await();
        }

        /**
         * Wait until every client thread is done.
         * @return this load
         */
        Load await() {
            for (Thread thread : this.threads) {
                try {
                    thread.join(TimeUnit.MINUTES.toMillis(10));
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ex);
                }
                if (thread.isAlive()) {
                    throw new IllegalStateException(thread.getName() + " still sends after 10 minutes");
                }
            }
            return this;
        }

        /**
         * The requests answered 200.
         * @return their number
         */
        long ok() {
            return this.ok.get();
        }

        /**
         * The requests of one worker answered 200.
         * @param worker the worker
         * @return their number
         */
        long ok(Worker worker) {
            return this.okOf.get(worker).get();
        }

        /**
         * The other requests (another status, or no answer).
         * @return their number
         */
        long failed() {
            return this.failed.get();
        }

    }

}
