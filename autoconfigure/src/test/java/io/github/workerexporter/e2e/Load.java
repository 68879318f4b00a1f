package io.github.workerexporter.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import io.github.workerexporter.testing.LoopbackHttp.Answer;
import io.github.workerexporter.testing.LoopbackHttp;

/**
 * Client threads sending requests to workers ({@link Workers#load}), each with a
 * {@link LoopbackHttp} of its own, and the answers they had. A thread stops once it sent
 * its share, once the load is stopped, or once its worker died.
 *
 * @author Worker Exporter
 */
final class Load {

    private final AtomicBoolean stop = new AtomicBoolean();

    private final List<Thread> threads = new ArrayList<>();

    private final AtomicLong failed = new AtomicLong();

    private final Map<Worker, AtomicLong> ok = new LinkedHashMap<>();

    /**
     * Start the threads.
     * @param workers the workers
     * @param each how many requests each worker gets at most
     * @param threadsEach the client threads of each worker
     * @param path the path of request {@code n} of a worker
     */
    Load(List<Worker> workers, int each, int threadsEach, IntFunction<String> path) {
        for (Worker worker : workers) {
            this.ok.put(worker, new AtomicLong());
        }
        for (Worker worker : workers) {
            for (int t = 0; t < threadsEach; t++) {
                int first = t;
                Thread thread = new Thread(() -> {
                    try (LoopbackHttp http = new LoopbackHttp(worker.httpPort())) {
                        for (int n = first; n < each && !this.stop.get()
                                && worker.process().isAlive(); n += threadsEach) {
                            count(worker, Workers.request(worker, http, path.apply(n)));
                        }
                    }
                }, "load-" + worker.id() + "-" + t);
                thread.setDaemon(true);
                this.threads.add(thread);
                thread.start();
            }
        }
    }

    private void count(Worker worker, Answer answer) {
        if (answer.status() == 200) {
            this.ok.get(worker).incrementAndGet();
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
        return this.ok.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /**
     * The requests of one worker answered 200.
     * @param worker the worker
     * @return their number
     */
    long ok(Worker worker) {
        return this.ok.get(worker).get();
    }

    /**
     * The other requests (another status, or no answer).
     * @return their number
     */
    long failed() {
        return this.failed.get();
    }

}
