package io.github.workerexporter.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.Predicate;

import io.github.workerexporter.testing.LoopbackHttp.Answer;
import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.testing.DefaultSignals;
import io.github.workerexporter.testing.LoopbackHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one launcher of the end-to-end tests' JVMs: starts them ({@link E2eWorker}, or
 * another main class that prints {@link E2eWorker#READY}) with the test classpath and
 * small heaps, under a wrapper command where a test needs one (such as {@code setpriv}),
 * one {@link Worker} and one log file per life; sends them requests over loopback;
 * scrapes their metrics ports (not instrumented, so a scrape never counts as a request);
 * waits for conditions; kills them. {@link #close()} stops every JVM still running
 * (SIGTERM, then SIGKILL).
 * <p>
 * Every request goes through {@link LoopbackHttp}, which never sends a request twice, and
 * is counted by its {@link Worker}, so that {@link #awaitExact} can wait for
 * {@link Totals exact totals}. One launcher for every end-to-end test, hence its size.
 *
 * @author Worker Exporter
 */
final class Workers implements AutoCloseable {

    /** How long a condition may take on a busy machine. */
    static final Duration DEADLINE = Duration.ofSeconds(60);

    /**
     * How long a JVM may take to start (or to fail to) on a busy machine, eight at once.
     */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final Path logs;

    private final List<String> wrapper;

    private final Class<?> main;

    private final List<String> arguments;

    private final List<Worker> started = Collections.synchronizedList(new ArrayList<>());

    private final AtomicInteger lives = new AtomicInteger();

    /**
     * Worker JVMs of {@link E2eWorker} that all get the same arguments.
     * @param logs where the logs go
     * @param arguments arguments of every worker besides its id, such as
     * {@code --exporter.redis.enabled=true}
     */
    Workers(Path logs, String... arguments) {
        this(logs, List.of(), E2eWorker.class, List.of(arguments));
    }

    /**
     * JVMs that all run the same main class with the same arguments.
     * @param logs where the logs go
     * @param wrapper the command before {@code java}, or none
     * @param main the main class; it gets {@code --exporter.worker.id=<id>} and the
     * arguments
     * @param arguments arguments of every JVM besides its id
     */
    Workers(Path logs, List<String> wrapper, Class<?> main, List<String> arguments) {
        this.logs = logs;
        this.wrapper = List.copyOf(wrapper);
        this.main = main;
        this.arguments = List.copyOf(arguments);
    }

    /**
     * Start JVMs all at once, then wait until each one is ready.
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
     * Start a JVM that should refuse to start, and wait until it has exited.
     * @param id its worker id
     * @return its log
     */
    String startFailing(String id) {
        Worker worker = launch(id);
        if (!await(worker.process(), START_TIMEOUT)) {
            throw new AssertionError("Worker " + id + " neither started nor failed:\n" + worker.log());
        }
        awaitOutput(worker);
        if (worker.ready()) {
            throw new AssertionError("Worker " + id + " started:\n" + worker.log());
        }
        return worker.log();
    }

    /**
     * Send {@code count} requests {@code GET /work/n} to one worker from two client
     * threads, and wait for the answers.
     * @param worker the worker
     * @param count how many requests
     * @return the answers
     */
    Load send(Worker worker, int count) {
        return send(List.of(worker), count, 2);
    }

    /**
     * Send {@code count} requests {@code GET /work/n} to one worker from two client
     * threads, all answered 200, then scrape it until its merged view has exact totals
     * for it.
     * @param worker the worker
     * @param count how many requests
     * @return the first exact exposition
     */
    RequestExposition sendAndAwaitExact(Worker worker, int count) {
        Load load = send(worker, count);
        assertThat(load.failed()).as("requests to %s that failed", worker.id()).isZero();
        assertThat(load.ok()).as("requests to %s answered 200", worker.id()).isEqualTo(count);
        return awaitExact(worker, DEADLINE, List.of(worker));
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
     * Start sending {@code GET /work/n} requests to each worker, as
     * {@link #load(List, int, int, IntFunction)}.
     * @param workers the workers
     * @param each how many requests each worker gets at most
     * @param threadsEach the client threads of each worker
     * @return the running load
     */
    Load load(List<Worker> workers, int each, int threadsEach) {
        return load(workers, each, threadsEach, (n) -> "/work/" + n);
    }

    /**
     * Start sending requests {@code GET path(n)} to each worker from {@code threadsEach}
     * client threads per worker, {@code n} from 0 until each worker had {@code each}
     * requests, the load is stopped or the worker died.
     * @param workers the workers
     * @param each how many requests each worker gets at most
     * @param threadsEach the client threads of each worker
     * @param path the path of request {@code n}
     * @return the running load
     */
    Load load(List<Worker> workers, int each, int threadsEach, IntFunction<String> path) {
        return new Load(workers, each, threadsEach, path);
    }

    /**
     * Send one request to a worker's application.
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
     * Send one request with a client, counted by its worker.
     * @param worker the worker
     * @param http a client of the worker's application port
     * @param path the path
     * @return the answer
     */
    static Answer request(Worker worker, LoopbackHttp http, String path) {
        Answer answer = http.get(path);
        worker.count(path, answer.status());
        return answer;
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
     * Scrape a worker's metrics port.
     * @param worker the worker
     * @return the parsed exposition; parsing fails on a duplicate series
     * @throws IllegalStateException when the answer is not 200
     */
    RequestExposition scrape(Worker worker) {
        return parse(worker, scrapeRaw(worker));
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

    private static RequestExposition parse(Worker worker, Answer answer) {
        if (answer.status() != 200) {
            throw new IllegalStateException(
                    "Scrape of " + worker.id() + ": HTTP " + answer.status() + "\n" + answer.body());
        }
        return RequestExposition.parse(answer.body());
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
     * Scrape a worker until its merged view has exact totals for the workers.
     * @param observer the worker to scrape
     * @param deadline how long to try
     * @param workers the workers whose totals must be exact
     * @return the first exact exposition
     * @see #awaitExact(Worker, Duration, Collection, Predicate)
     */
    RequestExposition awaitExact(Worker observer, Duration deadline, Collection<Worker> workers) {
        return awaitExact(observer, deadline, workers, (exposition) -> true);
    }

    /**
     * Scrape a worker until its merged view has {@link Totals exact totals} for the
     * workers and meets the condition. Prints how many requests an application handled
     * beyond those answered 200 (requests that failed on the client's side, never
     * resent).
     * @param observer the worker to scrape
     * @param deadline how long to try
     * @param workers the workers whose totals must be exact
     * @param condition what the exposition should show besides
     * @return the first such exposition
     * @throws AssertionError with the differences and the last exposition when the
     * deadline passed
     */
    RequestExposition awaitExact(Worker observer, Duration deadline, Collection<Worker> workers,
            Predicate<RequestExposition> condition) {
        Map<String, String> last = new LinkedHashMap<>();
        try {
            RequestExposition exact = awaitScrape(observer, deadline, (exposition) -> {
                last.clear();
                last.putAll(Totals.differences(exposition, workers));
                return last.isEmpty() && condition.test(exposition);
            });
            for (Worker worker : workers) {
                long more = (long) Totals.handled(exact, worker.id()) - worker.ok();
                if (more > 0) {
                    System.out.printf(
                            "%s: the application handled %d requests more than answered 200 "
                                    + "(%d failed on the client's side, the others sent twice by the client)%n",
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
     * End a worker with SIGKILL, as {@code kill -9}: no shutdown hook, no last flush.
     * @param worker the worker
     */
    void kill(Worker worker) {
        worker.process().destroyForcibly();
        assertThat(await(worker.process())).as("%s ended by SIGKILL", worker.id()).isTrue();
    }

    /**
     * Send a worker a signal with {@code kill -<signal> <pid>}, as an operator or a
     * supervisor would, and wait until the JVM has exited.
     * @param worker the worker
     * @param signal the signal's name without {@code SIG}, such as {@code TERM} or
     * {@code KILL}
     * @return the JVM's exit code
     */
    int stop(Worker worker, String signal) {
        DefaultSignals.assumeDeliverable(signal);
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(worker.pid())).inheritIO().start();
            assertThat(kill.waitFor()).as("kill -%s %s", signal, worker.id()).isZero();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        assertThat(await(worker.process())).as("%s ended by SIG%s", worker.id(), signal).isTrue();
        awaitOutput(worker);
        return worker.process().exitValue();
    }

    /**
     * Stop every JVM with SIGTERM (a clean exit), SIGKILL for any that hangs.
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
        List<String> command = new ArrayList<>(DefaultSignals.prefix());
        command.addAll(this.wrapper);
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx256m", "-Xss512k",
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-cp",
                System.getProperty("java.class.path"), this.main.getName(), "--exporter.worker.id=" + id));
        command.addAll(this.arguments);
        try {
            Files.createDirectories(this.logs);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            Worker worker = new Worker(id, process,
                    this.logs.resolve(id + "-life" + this.lives.incrementAndGet() + ".log"));
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
            if (worker.ready()) {
                return;
            }
            if (!worker.process().isAlive()) {
                awaitOutput(worker);
                break;
            }
            sleep(20);
        }
        worker.process().destroyForcibly();
        throw new AssertionError("Worker " + worker.id() + " did not start:\n" + worker.log());
    }

    private static boolean await(Process process) {
        return await(process, Duration.ofSeconds(30));
    }

    private static boolean await(Process process, Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void awaitOutput(Worker worker) {
        try {
            worker.awaitOutput();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
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

}
