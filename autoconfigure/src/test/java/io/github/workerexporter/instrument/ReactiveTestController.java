package io.github.workerexporter.instrument;

import java.time.Duration;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The paths of {@link AbstractRequestMetricsServerTests} in WebFlux.
 *
 * @author Worker Exporter
 */
@RestController
class ReactiveTestController {

    @GetMapping("/users/{id}")
    Mono<String> user(@PathVariable int id) {
        if (id == 0) {
            return Mono.error(new IllegalArgumentException("no user 0"));
        }
        return Mono.just("user " + id);
    }

    @GetMapping({ "/held", "/held-async" })
    Mono<String> held() {
        return Mono.fromFuture(HeldRequests.gate(), true);
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<String> badRequest(IllegalArgumentException ex) {
        return ResponseEntity.badRequest().body(ex.getMessage());
    }

    @GetMapping("/unhandled")
    Mono<String> unhandled() {
        return Mono.error(new IllegalStateException("unhandled"));
    }

    @GetMapping("/out-of-memory")
    Mono<String> outOfMemory() {
        throw new OutOfMemoryError("thrown by the test");
    }

    @GetMapping("/out-of-memory-signalled")
    Mono<String> outOfMemorySignalled() {
        return Mono.error(new OutOfMemoryError("thrown by the test"));
    }

    @GetMapping("/out-of-memory-later")
    Mono<String> outOfMemoryLater() {
        return Mono.fromCallable(() -> {
            throw new OutOfMemoryError("thrown by the test");
        });
    }

    @GetMapping("/stack-overflow")
    Mono<String> stackOverflow() {
        throw new StackOverflowError("thrown by the test");
    }

    @GetMapping("/unavailable")
    ResponseEntity<String> unavailable() {
        return ResponseEntity.status(503).body("later");
    }

    @GetMapping("/big")
    byte[] big() {
        return new byte[65536];
    }

    @PostMapping("/echo")
    Mono<String> echo(@RequestBody Mono<byte[]> body) {
        return body.map((bytes) -> String.valueOf(bytes.length));
    }

    @GetMapping(path = "/text", produces = "text/plain;charset=UTF-8")
    String text() {
        return "héllo wörld";
    }

    @GetMapping("/async")
    Mono<String> async() {
        return Mono.delay(Duration.ofMillis(20)).map((tick) -> "a".repeat(2000));
    }

    @GetMapping(path = "/stream", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    Flux<byte[]> stream() {
        return Flux.range(0, 10).map((i) -> new byte[10_000]);
    }

}
