package io.github.workerexporter.instrument;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * The paths of {@link AbstractRequestMetricsServerTests} in Spring MVC.
 *
 * @author Worker Exporter
 */
@RestController
class ServletTestController {

    @GetMapping("/users/{id}")
    String user(@PathVariable int id) {
        if (id == 0) {
            throw new IllegalArgumentException("no user 0");
        }
        return "user " + id;
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ResponseEntity<String> badRequest(IllegalArgumentException ex) {
        return ResponseEntity.badRequest().body(ex.getMessage());
    }

    @GetMapping("/unhandled")
    String unhandled() {
        throw new IllegalStateException("unhandled");
    }

    @GetMapping("/out-of-memory")
    String outOfMemory() {
        throw new OutOfMemoryError("thrown by the test");
    }

    @GetMapping("/out-of-memory-signalled")
    CompletableFuture<String> outOfMemorySignalled() {
        return CompletableFuture.failedFuture(new OutOfMemoryError("thrown by the test"));
    }

    @GetMapping("/out-of-memory-later")
    DeferredResult<String> outOfMemoryLater() {
        DeferredResult<String> result = new DeferredResult<>();
        CompletableFuture.runAsync(() -> result.setErrorResult(new OutOfMemoryError("thrown by the test")));
        return result;
    }

    @GetMapping("/stack-overflow")
    String stackOverflow() {
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
    String echo(@RequestBody byte[] body) {
        return String.valueOf(body.length);
    }

    @GetMapping("/text")
    void text(HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        PrintWriter writer = response.getWriter();
        writer.print("héllo");
        writer.write(" wörld");
    }

    @GetMapping("/async")
    DeferredResult<String> async() {
        DeferredResult<String> result = new DeferredResult<>();
        CompletableFuture.runAsync(() -> result.setResult("a".repeat(2000)));
        return result;
    }

    @GetMapping("/held")
    String held() throws Exception {
        return HeldRequests.gate().get(1, TimeUnit.MINUTES);
    }

    @GetMapping("/held-async")
    DeferredResult<String> heldAsync() {
        DeferredResult<String> result = new DeferredResult<>(60_000L);
        HeldRequests.gate().thenAccept(result::setResult);
        return result;
    }

    @GetMapping("/stream")
    StreamingResponseBody stream() {
        return (out) -> {
            for (int i = 0; i < 10; i++) {
                out.write(new byte[10_000]);
                out.flush();
            }
        };
    }

}
