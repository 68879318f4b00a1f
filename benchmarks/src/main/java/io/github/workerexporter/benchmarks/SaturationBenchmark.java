package io.github.workerexporter.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.github.workerexporter.saturation.AcceptQueue;
import io.github.workerexporter.saturation.ListenSocket;
import io.github.workerexporter.saturation.SaturationMetrics;
import io.github.workerexporter.saturation.ServerReading;
import io.github.workerexporter.saturation.ServerSaturation;

/**
 * One collect of the saturation gauges, as a scrape (or a flush) runs it: a thread pool
 * of 200 read as Tomcat's is (active count, maximum, queue) and the accept queue of a
 * real listening socket on loopback read from {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6}, with {@link #connections} established connections open on this
 * machine besides. Nothing of it runs on the request path. The kernel lists listening
 * sockets first and the read stops at the first other line, so the figure should not grow
 * with the connections.
 *
 * @author Worker Exporter
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class SaturationBenchmark {

    /** Established connections to the listener (each is two lines of the TCP table). */
    @Param({ "0", "1000" })
    public int connections;

    private final List<Socket> sockets = new ArrayList<>();

    private ServerSocket listener;

    private ThreadPoolExecutor pool;

    private SaturationMetrics metrics;

    @Setup(Level.Trial)
    public void start() throws IOException {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        this.listener = new ServerSocket(0, 2000, loopback);
        for (int i = 0; i < this.connections; i++) {
            Socket client = new Socket();
            client.connect(new InetSocketAddress(loopback, this.listener.getLocalPort()));
            this.sockets.add(client);
            this.sockets.add(this.listener.accept());
        }
        this.pool = new ThreadPoolExecutor(10, 200, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
        ListenSocket socket = new ListenSocket(this.listener.getLocalPort(), loopback, 100);
        AcceptQueue acceptQueue = AcceptQueue.linux();
        if (acceptQueue == null) {
            throw new IllegalStateException("No /proc/net/tcp: the accept queue is read on Linux only");
        }
        this.metrics = new SaturationMetrics(new PrometheusRegistry(), "gunicorn", "bench-worker", acceptQueue);
        this.metrics.serverStarted(new ServerSaturation() {

            @Override
            public ServerReading read() {
                ThreadPoolExecutor executor = SaturationBenchmark.this.pool;
                return new ServerReading(executor.getActiveCount(), executor.getMaximumPoolSize(),
                        executor.getQueue().size(), SaturationBenchmark.this.connections, 8192);
            }

            @Override
            public ListenSocket listenSocket() {
                return socket;
            }

        });
        if (this.metrics.collect().size() != 7) {
            throw new IllegalStateException("Expected 7 families, the listener was not found in /proc/net/tcp");
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        for (Socket socket : this.sockets) {
            socket.close();
        }
        this.listener.close();
        this.pool.shutdownNow();
    }

    @Benchmark
    public MetricSnapshots collect() {
        return this.metrics.collect();
    }

}
