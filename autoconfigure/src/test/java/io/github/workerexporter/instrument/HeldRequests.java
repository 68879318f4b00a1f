package io.github.workerexporter.instrument;

import java.util.concurrent.CompletableFuture;

/**
 * A gate that the test controllers' {@code /held} paths wait on until a test releases it,
 * so that a test knows requests are in flight.
 *
 * @author Worker Exporter
 */
final class HeldRequests {

    private static volatile CompletableFuture<String> gate = new CompletableFuture<>();

    private HeldRequests() {
    }

    static void hold() {
        gate = new CompletableFuture<>();
    }

    static void release() {
        gate.complete("released");
    }

    static CompletableFuture<String> gate() {
        return gate;
    }

}
