package io.github.workerexporter.testing;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * The HTTP client of the tests: {@code GET} over one keep-alive socket to a server on
 * loopback ({@link RawHttp}), each request sent once whatever happens, so that a test can
 * compare what a server counted with what it sent.
 * <p>
 * The JDK {@code HttpClient} is not such a client: when a pooled connection turns out to
 * be closed by the server it sends an idempotent {@code GET} again without a word
 * ({@code ConnectionExpiredException}), and the server may have handled the first attempt
 * too; a worker then counts one request more than the test saw answered. Here a
 * connection is opened anew only before a request is written: when the server answered
 * {@code Connection: close} (Tomcat does after {@code max-keep-alive-requests}) or ended
 * a body by closing, or when the connection was idle longer than {@link #IDLE}, far below
 * Tomcat's keep-alive timeout, so that the server never closes a connection this client
 * is about to use. A failure once a request is written answers {@code -1}: the request
 * failed, the server may or may not have handled it, and it is never sent again. One per
 * client thread: not thread-safe.
 *
 * @author Worker Exporter
 */
public final class LoopbackHttp implements AutoCloseable {

    /** How long a kept-alive connection may stay idle before it is opened anew. */
    public static final Duration IDLE = Duration.ofSeconds(1);

    private final RawHttp http;

    private long answeredAt;

    /**
     * A client of one port of {@code 127.0.0.1}, connected on its first request.
     * @param port the port
     */
    public LoopbackHttp(int port) {
        this.http = new RawHttp(port);
    }

    /**
     * One {@code GET} on a connection of its own.
     * @param uri the address, on {@code 127.0.0.1}
     * @return the answer
     */
    public static Answer getOnce(URI uri) {
        try (LoopbackHttp http = new LoopbackHttp(uri.getPort())) {
            return http.get(uri.getRawPath());
        }
    }

    /**
     * One {@code GET} of a path of {@code 127.0.0.1} on a connection of its own.
     * @param port the port
     * @param path the path
     * @return the answer
     */
    public static Answer getOnce(int port, String path) {
        try (LoopbackHttp http = new LoopbackHttp(port)) {
            return http.get(path);
        }
    }

    /**
     * Send {@code GET path} once and read the answer.
     * @param path the path
     * @return the answer; status {@code -1} and the failure as body when there was none
     */
    public Answer get(String path) {
        if (System.nanoTime() - this.answeredAt > IDLE.toNanos()) {
            this.http.close();
        }
        try {
            RawHttp.Response response = this.http.send(RawHttp.request("GET", path));
            this.answeredAt = System.nanoTime();
            return new Answer(response.status(),
                    (response.status() != RawHttp.CLOSED) ? response.text() : "Closed without an answer");
        }
        catch (IOException | RuntimeException ex) {
            this.http.close();
            return new Answer(-1, "No answer: " + ex);
        }
    }

    @Override
    public void close() {
        this.http.close();
    }

    /**
     * An HTTP answer.
     *
     * @param status the status, {@code -1} when there was none
     * @param body the body, or the failure
     */
    public record Answer(int status, String body) {

    }

}
