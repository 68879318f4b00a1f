package io.github.workerexporter.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The manifests in {@code k8s/} parse, name their kind and API version, and no two
 * containers of a pod bind the same port, counting the ports our image binds without
 * declaring them (the application's 8080 and the metrics server's 9091). The Prometheus
 * Operator monitors select pods and services that exist, on ports they declare, under the
 * job names of {@code prometheus/prometheus.yml}, and never scrape every copy of a
 * cluster-wide view.
 *
 * @author Worker Exporter
 */
class KubernetesManifestsTests {

    private static final Path DIRECTORY = Path.of("k8s");

    private static final Path PROMETHEUS_CONFIG = Path.of("prometheus", "prometheus.yml");

    private static final Set<String> WORKLOADS = Set.of("Deployment", "DaemonSet", "StatefulSet");

    private final List<Map<String, Object>> documents = load();

    @Test
    void everyDocumentNamesItsKindApiVersionAndName() {
        assertThat(this.documents).hasSizeGreaterThanOrEqualTo(6).allSatisfy((document) -> {
            assertThat(document).containsKeys("apiVersion", "kind");
            assertThat(map(document, "metadata")).containsKey("name");
        });
        assertThat(this.documents).extracting((document) -> document.get("kind"))
            .contains("Deployment", "DaemonSet", "Service", "PodMonitor", "ServiceMonitor");
    }

    @Test
    void everyPodMonitorScrapesTheMetricsServerPortOfEveryPodItSelects() {
        for (Map<String, Object> monitor : ofKind("PodMonitor")) {
            List<Map<String, Object>> pods = podsMatching(matchLabels(monitor));
            assertThat(pods).as("pods selected by %s", name(monitor)).isNotEmpty();
            for (Map<String, Object> endpoint : list(map(monitor, "spec"), "podMetricsEndpoints")) {
                assertThat(endpoint).as("endpoint of %s", name(monitor)).containsEntry("path", "/metrics");
                for (Map<String, Object> pod : pods) {
                    assertThat(list(pod, "containers"))
                        .as("container of %s declaring port %s", name(monitor), endpoint.get("port"))
                        .anySatisfy((container) -> assertThat(metricsPort(container))
                            .isEqualTo(declaredPort(container, (String) endpoint.get("port"))));
                }
            }
        }
    }

    @Test
    void everyServiceMonitorScrapesANamedPortOfAServiceInFrontOfPods() {
        for (Map<String, Object> monitor : ofKind("ServiceMonitor")) {
            List<Map<String, Object>> services = ofKind("Service").stream()
                .filter((service) -> labels(map(service, "metadata")).entrySet()
                    .containsAll(matchLabels(monitor).entrySet()))
                .toList();
            assertThat(services).as("services selected by %s", name(monitor)).isNotEmpty();
            for (Map<String, Object> service : services) {
                List<Map<String, Object>> pods = podsMatching(map(map(service, "spec"), "selector"));
                for (Map<String, Object> endpoint : list(map(monitor, "spec"), "endpoints")) {
                    Map<String, Object> port = list(map(service, "spec"), "ports").stream()
                        .filter((candidate) -> endpoint.get("port").equals(candidate.get("name")))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(
                                "service " + name(service) + " has no port named " + endpoint.get("port")));
                    assertThat(pods).as("pods behind %s", name(service))
                        .isNotEmpty()
                        .allSatisfy((pod) -> assertThat(list(pod, "containers")).anySatisfy(
                                (container) -> assertThat(declaredPort(container, (String) port.get("targetPort")))
                                    .isNotNull()));
                }
            }
        }
    }

    @Test
    void monitorsScrapeTheJobsOfPrometheusYmlAndTheActuatorJobLeavesTheGunicornFamilies() {
        Map<String, Map<String, Object>> jobs = new HashMap<>();
        for (Map<String, Object> endpoint : monitorEndpoints()) {
            List<Map<String, Object>> relabelings = list(endpoint, "relabelings");
            String job = relabelings.stream()
                .filter((relabeling) -> "job".equals(relabeling.get("targetLabel")))
                .map((relabeling) -> (String) relabeling.get("replacement"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no job set by " + endpoint));
            jobs.put(job, endpoint);
        }
        assertThat(jobs.keySet()).containsExactlyInAnyOrderElementsOf(prometheusJobs());
        for (Map<String, Object> endpoint : jobs.values()) {
            boolean dropsGunicorn = list(endpoint, "metricRelabelings").stream()
                .anyMatch((relabeling) -> "drop".equals(relabeling.get("action"))
                        && "gunicorn_.*".equals(relabeling.get("regex"))
                        && List.of("__name__").equals(relabeling.get("sourceLabels")));
            assertThat(dropsGunicorn).as("%s drops the gunicorn_* families", endpoint.get("path"))
                .isEqualTo("/actuator/prometheus".equals(endpoint.get("path")));
        }
    }

    @Test
    void noMonitorScrapesEachCopyOfAClusterWideView() {
        List<Map<String, Object>> selectors = new ArrayList<>();
        ofKind("PodMonitor").forEach((monitor) -> selectors.add(matchLabels(monitor)));
        for (Map<String, Object> monitor : ofKind("ServiceMonitor")) {
            ofKind("Service").stream()
                .filter((service) -> labels(map(service, "metadata")).entrySet()
                    .containsAll(matchLabels(monitor).entrySet()))
                .forEach((service) -> selectors.add(map(map(service, "spec"), "selector")));
        }
        for (Map<String, Object> selector : selectors) {
            for (Map<String, Object> pod : podsMatching(selector)) {
                assertThat(list(pod, "containers")).as("containers selected by %s", selector)
                    .noneSatisfy((container) -> assertThat(env(container)).containsEntry("SIDECAR_MODE", "true")
                        .containsEntry("REDIS_ENABLED", "true"));
            }
        }
    }

    @Test
    void containersOfAPodNeverBindTheSamePort() {
        for (Map<String, Object> pod : pods()) {
            Map<Integer, String> owners = new HashMap<>();
            for (Map<String, Object> container : list(pod, "containers")) {
                for (int port : boundPorts(container)) {
                    String other = owners.put(port, (String) container.get("name"));
                    assertThat(other).as("port %d bound by containers %s and %s", port, other, container.get("name"))
                        .isNull();
                }
            }
        }
    }

    @Test
    void sharedDirectoryIsAMountedVolume() {
        for (Map<String, Object> pod : pods()) {
            Set<String> volumes = new HashSet<>();
            list(pod, "volumes").forEach((volume) -> volumes.add((String) volume.get("name")));
            for (Map<String, Object> container : list(pod, "containers")) {
                List<Map<String, Object>> mounts = list(container, "volumeMounts");
                assertThat(mounts).allSatisfy((mount) -> assertThat(volumes).contains((String) mount.get("name")));
                String directory = env(container).get("PROMETHEUS_MULTIPROC_DIR");
                if (directory != null) {
                    assertThat(mounts).extracting((mount) -> mount.get("mountPath")).contains(directory);
                }
            }
        }
    }

    @Test
    void workersPublishingToSharedStorageAreNamedAfterTheirPod() {
        for (Map<String, Object> pod : pods()) {
            for (Map<String, Object> container : list(pod, "containers")) {
                Map<String, String> env = env(container);
                boolean shared = env.containsKey("PROMETHEUS_MULTIPROC_DIR") || "true".equals(env.get("REDIS_ENABLED"));
                if (shared && !"true".equals(env.get("SIDECAR_MODE"))) {
                    assertThat(list(container, "env")).as("env of %s", container.get("name")).anySatisfy((variable) -> {
                        assertThat(variable.get("name")).isEqualTo("EXPORTER_WORKER_ID");
                        assertThat(map(map(variable, "valueFrom"), "fieldRef")).containsEntry("fieldPath",
                                "metadata.name");
                    });
                }
            }
        }
    }

    @Test
    void everyServiceSelectsAPod() {
        List<Map<String, Object>> labels = new ArrayList<>();
        workloads().forEach((workload) -> labels.add(map(map(map(workload, "spec"), "template"), "metadata")));
        for (Map<String, Object> service : ofKind("Service")) {
            Map<String, Object> selector = map(map(service, "spec"), "selector");
            assertThat(labels).as("pods selected by service %s", map(service, "metadata").get("name"))
                .anySatisfy((metadata) -> assertThat(map(metadata, "labels")).containsAllEntriesOf(selector));
        }
    }

    /**
     * The ports a container binds: those it declares, and for our image the web server's
     * and the metrics server's, which it binds whether declared or not.
     */
    private static Set<Integer> boundPorts(Map<String, Object> container) {
        Set<Integer> ports = new HashSet<>();
        list(container, "ports").forEach((port) -> ports.add((Integer) port.get("containerPort")));
        if (String.valueOf(container.get("image")).startsWith("worker-exporter-sample-app")) {
            Map<String, String> env = env(container);
            ports.add(Integer.valueOf(env.getOrDefault("PROMETHEUS_METRICS_PORT", "9091")));
            if (!"none".equals(env.get("SPRING_MAIN_WEB_APPLICATION_TYPE"))) {
                ports.add(Integer.valueOf(env.getOrDefault("SERVER_PORT", "8080")));
            }
        }
        return ports;
    }

    /**
     * The port our image's metrics server binds, or {@code null} for another image.
     */
    private static Integer metricsPort(Map<String, Object> container) {
        if (!String.valueOf(container.get("image")).startsWith("worker-exporter-sample-app")) {
            return null;
        }
        return Integer.valueOf(env(container).getOrDefault("PROMETHEUS_METRICS_PORT", "9091"));
    }

    /**
     * The number of the container port of the given name, or {@code null}.
     */
    private static Integer declaredPort(Map<String, Object> container, String name) {
        return list(container, "ports").stream()
            .filter((port) -> name.equals(port.get("name")))
            .map((port) -> (Integer) port.get("containerPort"))
            .findFirst()
            .orElse(null);
    }

    private List<Map<String, Object>> podsMatching(Map<String, Object> selector) {
        return workloads()
            .filter((workload) -> labels(map(map(map(workload, "spec"), "template"), "metadata")).entrySet()
                .containsAll(selector.entrySet()))
            .map((workload) -> map(map(map(workload, "spec"), "template"), "spec"))
            .toList();
    }

    private List<Map<String, Object>> monitorEndpoints() {
        List<Map<String, Object>> endpoints = new ArrayList<>();
        ofKind("PodMonitor").forEach((monitor) -> endpoints.addAll(list(map(monitor, "spec"), "podMetricsEndpoints")));
        ofKind("ServiceMonitor").forEach((monitor) -> endpoints.addAll(list(map(monitor, "spec"), "endpoints")));
        return endpoints;
    }

    @SuppressWarnings("unchecked")
    private static List<String> prometheusJobs() {
        try {
            Map<String, Object> config = new Yaml().load(Files.readString(PROMETHEUS_CONFIG));
            return ((List<Map<String, Object>>) config.get("scrape_configs")).stream()
                .map((job) -> (String) job.get("job_name"))
                .toList();
        }
        catch (IOException ex) {
            throw new IllegalStateException("Cannot read " + PROMETHEUS_CONFIG, ex);
        }
    }

    private static Map<String, Object> matchLabels(Map<String, Object> monitor) {
        return map(map(map(monitor, "spec"), "selector"), "matchLabels");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> labels(Map<String, Object> metadata) {
        Object labels = metadata.get("labels");
        return (labels != null) ? (Map<String, Object>) labels : Map.of();
    }

    private static Object name(Map<String, Object> document) {
        return map(document, "metadata").get("name");
    }

    private static Map<String, String> env(Map<String, Object> container) {
        Map<String, String> env = new HashMap<>();
        list(container, "env").stream()
            .filter((variable) -> variable.get("value") != null)
            .forEach((variable) -> env.put((String) variable.get("name"), (String) variable.get("value")));
        return env;
    }

    private List<Map<String, Object>> pods() {
        return workloads().map((workload) -> map(map(map(workload, "spec"), "template"), "spec")).toList();
    }

    private Stream<Map<String, Object>> workloads() {
        return this.documents.stream().filter((document) -> WORKLOADS.contains(document.get("kind")));
    }

    private List<Map<String, Object>> ofKind(String kind) {
        return this.documents.stream().filter((document) -> kind.equals(document.get("kind"))).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        return (value != null) ? (List<Map<String, Object>>) value : List.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> load() {
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            for (Path file : files.filter((path) -> path.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object document : new Yaml().loadAll(Files.readString(file))) {
                    assertThat(document).as("document in %s", file).isInstanceOf(Map.class);
                    documents.add((Map<String, Object>) document);
                }
            }
        }
        catch (IOException ex) {
            throw new IllegalStateException("Cannot read " + DIRECTORY, ex);
        }
        return documents;
    }

}
