package io.github.workerexporter.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Raw HTTP/1.1 on loopback, byte for byte: a request line and headers exactly as given
 * (an HTTP client would normalise a path such as {@code /../etc/passwd}), and the whole
 * answer back.
 *
 * @author Worker Exporter
 */
final class SecurityHttp {

    private SecurityHttp() {
    }

    /**
     * Send one request and read the answer until the server closes the connection.
     * @param port the port on 127.0.0.1
     * @param method the method
     * @param target the request target, sent as is
     * @param authorization the {@code Authorization} header, or {@code null}
     * @return the answer
     * @throws IOException on a connection failure
     */
    static Answer send(int port, String method, String target, @Nullable String authorization) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            String request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + ((authorization != null) ? "Authorization: " + authorization + "\r\n" : "")
                    + "Connection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            return Answer.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /**
     * An HTTP answer.
     *
     * @param raw the answer as received, empty when the server closed the connection
     * without one
     * @param status the status code, or -1 without an answer
     * @param headers the header lines, in order, without {@code Date}
     * @param body the body, de-chunked
     */
    record Answer(String raw, int status, List<String> headers, String body) {

        static Answer parse(String raw) {
            int end = raw.indexOf("\r\n\r\n");
            if (raw.isEmpty() || end < 0) {
                return new Answer(raw, -1, List.of(), "");
            }
            List<String> lines = raw.substring(0, end).lines().toList();
            int status = Integer.parseInt(lines.get(0).split(" ")[1]);
            List<String> headers = lines.subList(1, lines.size())
                .stream()
                .filter((line) -> !line.toLowerCase(Locale.ROOT).startsWith("date:"))
                .toList();
            String body = raw.substring(end + 4);
            if (headers.stream().anyMatch((line) -> line.equalsIgnoreCase("Transfer-encoding: chunked"))) {
                body = dechunk(body);
            }
            return new Answer(raw, status, headers, body);
        }

        @Nullable String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return this.headers.stream()
                .filter((line) -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
                .map((line) -> line.substring(prefix.length()).trim())
                .findFirst()
                .orElse(null);
        }

        private static String dechunk(String chunked) {
            StringBuilder body = new StringBuilder();
            int position = 0;
            while (position < chunked.length()) {
                int lineEnd = chunked.indexOf("\r\n", position);
                int size = Integer.parseInt(chunked.substring(position, lineEnd).trim(), 16);
                if (size == 0) {
                    break;
                }
                body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
                position = lineEnd + 2 + size + 2;
            }
            return body.toString();
        }

    }

}
