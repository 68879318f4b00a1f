package io.github.workerexporter.sample;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Endpoints to exercise the exporter.
 *
 * @author Worker Exporter
 */
@RestController
class SampleController {

    @GetMapping("/")
    Map<String, String> home() {
        return Map.of("status", "ok");
    }

    @GetMapping("/users/{id}")
    Map<String, String> user(@PathVariable String id) {
        return Map.of("id", id);
    }

}
