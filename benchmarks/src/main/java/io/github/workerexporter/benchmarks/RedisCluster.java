package io.github.workerexporter.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of {@code nodes} masters without replicas on free ports of loopback,
 * each a {@link RedisServer} with a directory of its own, joined with
 * {@code redis-cli --cluster create}; {@link #close()} stops every node.
 *
 * @author Worker Exporter
 */
final class RedisCluster implements AutoCloseable {

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    /**
     * Start the nodes, create the cluster and wait until every node says it is ok.
     * @param count the number of masters (at least 3)
     * @return the running cluster
     */
    static RedisCluster start(int count) {
        List<RedisServer> nodes = new ArrayList<>();
        RedisCluster cluster = new RedisCluster(nodes);
        try {
            for (int i = 0; i < count; i++) {
                Path directory = Files.createTempDirectory("worker-exporter-cluster");
                directory.toFile().deleteOnExit();
                nodes.add(RedisServer.start("--cluster-enabled", "yes", "--dir", directory.toString(),
                        "--cluster-node-timeout", "5000"));
            }
            List<String> command = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            nodes.forEach((node) -> command.add("127.0.0.1:" + node.port()));
            command.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process create = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Redirect.DISCARD)
                .start();
            if (!create.waitFor(60, TimeUnit.SECONDS) || create.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed");
            }
            cluster.awaitOk();
            return cluster;
        }
        catch (IOException ex) {
            cluster.close();
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            cluster.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        catch (RuntimeException ex) {
            cluster.close();
            throw ex;
        }
    }

    List<RedisServer> nodes() {
        return this.nodes;
    }

    private void awaitOk() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (this.nodes.stream().allMatch((node) -> node.command("CLUSTER", "INFO").contains("cluster_state:ok"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("The cluster did not reach cluster_state:ok");
    }

    @Override
    public void close() {
        this.nodes.forEach(RedisServer::close);
    }

}
