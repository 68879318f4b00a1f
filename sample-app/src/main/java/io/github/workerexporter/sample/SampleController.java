package io.github.workerexporter.sample;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * Endpoints that exercise every family: path variables, a handled and an unhandled error,
 * a 503, a large, a streamed and a slow response, and an upload.
 *
 * @author Worker Exporter
 */
@RestController
class SampleController {

    private static final byte[] KILOBYTE = new byte[1024];

    static {
        Arrays.fill(KILOBYTE, (byte) 'x');
    }

    @GetMapping("/")
    Map<String, String> home() {
        return Map.of("status", "ok");
    }

    @GetMapping("/users/{id}")
    Map<String, String> user(@PathVariable String id) {
        return Map.of("id", id);
    }

    /**
     * Handled by {@link #handleInvalidOrder}: counted in error_handling, not in failed.
     */
    @GetMapping("/orders/{id}")
    Map<String, String> order(@PathVariable String id) {
        if (!id.chars().allMatch(Character::isDigit)) {
            throw new InvalidOrderException(id);
        }
        return Map.of("order", id);
    }

    /** Not handled: counted in failed_requests with error_type IllegalStateException. */
    @GetMapping("/boom")
    String boom() {
        throw new IllegalStateException("unhandled failure");
    }

    @GetMapping("/unavailable")
    ResponseEntity<String> unavailable() {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body("try later");
    }

    @GetMapping(path = "/large", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    byte[] large(@RequestParam(defaultValue = "64") int kb) {
        byte[] body = new byte[Math.min(kb, 8192) * 1024];
        Arrays.fill(body, (byte) 'x');
        return body;
    }

    @GetMapping(path = "/stream", produces = MediaType.TEXT_PLAIN_VALUE)
    StreamingResponseBody stream(@RequestParam(defaultValue = "256") int kb) {
        int chunks = Math.min(kb, 8192);
        return (out) -> {
            for (int i = 0; i < chunks; i++) {
                out.write(KILOBYTE);
                out.flush();
            }
        };
    }

    @PostMapping("/upload")
    Map<String, Long> upload(InputStream body) throws IOException {
        return Map.of("received", body.transferTo(OutputStream.nullOutputStream()));
    }

    @GetMapping("/slow")
    Map<String, Long> slow(@RequestParam(defaultValue = "1500") long ms) throws InterruptedException {
        long millis = Math.min(ms, Duration.ofSeconds(60).toMillis());
        Thread.sleep(millis);
        return Map.of("slept_ms", millis);
    }

    @ExceptionHandler(InvalidOrderException.class)
    ResponseEntity<Map<String, String>> handleInvalidOrder(InvalidOrderException ex) {
        return ResponseEntity.badRequest().body(Map.of("error", ex.getMessage()));
    }

    static class InvalidOrderException extends RuntimeException {

        InvalidOrderException(String id) {
            super("not an order id: " + id);
        }

    }

}
