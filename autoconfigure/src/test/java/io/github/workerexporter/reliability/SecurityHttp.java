package io.github.workerexporter.reliability;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import io.github.workerexporter.testing.RawHttp;

/**
 * Raw HTTP/1.1 on loopback, byte for byte: a request line and headers exactly as given
 * (an HTTP client would normalise a path such as {@code /../etc/passwd}), and the whole
 * answer back, through the tests' one raw client ({@link RawHttp}).
 *
 * @author Worker Exporter
 */
final class SecurityHttp {

    private SecurityHttp() {
    }

    /**
     * Send one request on a connection of its own ({@link RawHttp}) and read the answer.
     * @param port the port on 127.0.0.1
     * @param method the method
     * @param target the request target, sent as is
     * @param authorization the {@code Authorization} header, or {@code null}
     * @return the answer
     * @throws IOException on a connection failure
     */
    static Answer send(int port, String method, String target, @Nullable String authorization) throws IOException {
        List<String> headers = new ArrayList<>();
        if (authorization != null) {
            headers.add("Authorization: " + authorization);
        }
        headers.add("Connection: close");
        try (RawHttp http = new RawHttp(port)) {
            RawHttp.Response response = http.send(RawHttp.request(method, target, headers.toArray(String[]::new)));
            List<String> lines = response.headers()
                .entrySet()
                .stream()
                .filter((header) -> !header.getKey().equals("date"))
                .map((header) -> header.getKey() + ": " + header.getValue())
                .toList();
            return new Answer(response.status(), lines, response.text());
        }
    }

    /**
     * An HTTP answer.
     *
     * @param status the status code, or -1 without an answer
     * @param headers the header lines ({@code name: value}, names in lower case), in
     * order, without {@code date}
     * @param body the body, de-chunked
     */
    record Answer(int status, List<String> headers, String body) {

        @Nullable String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return this.headers.stream()
                .filter((line) -> line.startsWith(prefix))
                .map((line) -> line.substring(prefix.length()).trim())
                .findFirst()
                .orElse(null);
        }

    }

}
