package io.github.workerexporter.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * What the metrics server answers outside its metrics path and client_java's
 * {@code /-/healthy}: a plain 404 that names nothing. client_java's own default handler
 * answers every other path, {@code /env} or {@code /../etc/passwd} alike, with a 200 and
 * an HTML page.
 *
 * @author Worker Exporter
 */
final class MetricsServerNotFoundHandler implements HttpHandler {

    private static final byte[] BODY = "Not Found\n".getBytes(StandardCharsets.UTF_8);

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if ("HEAD".equalsIgnoreCase(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(404, BODY.length);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(BODY);
        }
    }

}
