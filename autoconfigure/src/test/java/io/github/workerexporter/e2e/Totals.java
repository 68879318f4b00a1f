package io.github.workerexporter.e2e;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.workerexporter.metrics.RequestExposition;
import io.github.workerexporter.testing.LoopbackHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What exact totals are, for the end-to-end tests: the merged
 * {@code gunicorn_worker_requests_total} of each worker equals the requests its
 * application counted itself ({@code e2e_handled_requests_total}, see
 * {@link E2eWorker#HANDLED}) plus the other requests it answered (such as
 * {@code /actuator/prometheus}, which the application does not count), and the
 * application handled at least the requests the test saw answered 200. The reference is
 * the server's own count, not the client's: a request the client saw fail may have been
 * handled; and the client ({@link LoopbackHttp}) never sends a request twice, so a worker
 * never handled more than the test sent it.
 *
 * @author Worker Exporter
 */
final class Totals {

    private Totals() {
    }

    /**
     * Assert that an exposition has exact totals for the workers, as
     * {@link Workers#awaitExact} waits for.
     * @param exposition the merged view
     * @param workers the workers
     */
    static void assertExact(RequestExposition exposition, Collection<Worker> workers) {
        assertThat(differences(exposition, workers)).as("workers whose totals are not exact").isEmpty();
    }

    /**
     * The workers whose totals are not exact, each with its numbers.
     * @param exposition the merged view
     * @param workers the workers
     * @return the differences by worker id, empty when exact
     */
    static Map<String, String> differences(RequestExposition exposition, Collection<Worker> workers) {
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

}
