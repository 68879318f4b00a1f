package io.github.workerexporter.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.jspecify.annotations.Nullable;

/**
 * The one raw HTTP/1.1 client of the tests, over one keep-alive socket to loopback, so a
 * test can send bytes no well-behaved client would: invalid UTF-8 and percent-encoding
 * garbage in the request line, unknown or lowercase methods, very long tokens and header
 * values. Reads one response per request (Content-Length, chunked, or until the server
 * closes); when the server closes the connection without answering, the status is
 * {@link #CLOSED}. It never sends a request twice: {@link LoopbackHttp} gives every test
 * its {@code GET}s through it.
 *
 * @author Worker Exporter
 */
public final class RawHttp implements Closeable {

    /** Status of a request the server answered by closing the connection. */
    public static final int CLOSED = -1;

    private static final int TIMEOUT_MILLIS = 60_000;

    private final int port;

    private final @Nullable SSLContext tls;

    private Socket socket;

    private InputStream in;

    private OutputStream out;

    /**
     * A client of a plain port of {@code 127.0.0.1}, connected on its first request.
     * @param port the port
     */
    public RawHttp(int port) {
        this(port, null);
    }

    /**
     * A client of a port of {@code 127.0.0.1}, over TLS when a context is given; a failed
     * handshake throws from {@link #send}.
     * @param port the port
     * @param tls the client's TLS context, or {@code null} for plain HTTP
     */
    public RawHttp(int port, @Nullable SSLContext tls) {
        this.port = port;
        this.tls = tls;
    }

    /**
     * A GET request for a target, given as raw bytes in ISO-8859-1 (one char, one byte).
     * @param method the method token
     * @param target the request target
     * @param headers extra header lines, each without CRLF
     * @return the request bytes
     */
    public static byte[] request(String method, String target, String... headers) {
        StringBuilder request = new StringBuilder(method).append(' ')
            .append(target)
            .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        return request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Send one {@code GET} on a connection of its own and read its response.
     * @param port the plain port of {@code 127.0.0.1}
     * @param target the request target
     * @param headers extra header lines, each without CRLF
     * @return the response
     * @throws IOException on a socket error other than the server closing the connection
     */
    public static Response get(int port, String target, String... headers) throws IOException {
        try (RawHttp http = new RawHttp(port)) {
            return http.send(request("GET", target, headers));
        }
    }

    /**
     * Send one request and read its response.
     * @param request the request bytes
     * @return the response
     * @throws IOException on a socket error other than the server closing the connection
     */
    public Response send(byte[] request) throws IOException {
        if (this.socket == null) {
            connect();
        }
        try {
            this.out.write(request);
            this.out.flush();
            Response response = read();
            if (response.closes()) {
                close();
            }
            return response;
        }
        catch (EOFException | SocketException ex) {
            // The server answered by closing the connection (or resetting it).
            close();
            return new Response(CLOSED, Map.of(), new byte[0]);
        }
    }

    private void connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", this.port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        if (this.tls != null) {
            SSLSocket secure = (SSLSocket) this.tls.getSocketFactory()
                .createSocket(socket, "127.0.0.1", this.port, true);
            secure.startHandshake();
            socket = secure;
        }
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 16384);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16384);
    }

    private Response read() throws IOException {
        String statusLine = line();
        while (statusLine.isEmpty()) {
            statusLine = line();
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("Not a status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        if (status / 100 == 1 && status != 101) {
            return read();
        }
        byte[] body;
        if (status == 204 || status == 304) {
            body = new byte[0];
        }
        else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = chunked();
        }
        else if (headers.containsKey("content-length")) {
            body = this.in.readNBytes(Integer.parseInt(headers.get("content-length")));
        }
        else {
            body = this.in.readAllBytes();
            headers.put("connection", "close");
        }
        return new Response(status, headers, body);
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            int semicolon = size.indexOf(';');
            int length = Integer.parseInt((semicolon >= 0) ? size.substring(0, semicolon) : size.trim(), 16);
            if (length == 0) {
                while (!line().isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(this.in.readNBytes(length));
            line();
        }
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = this.in.read();
            if (b < 0) {
                throw new EOFException("Connection closed");
            }
            if (b == '\n') {
                int end = line.length();
                return (end > 0 && line.charAt(end - 1) == '\r') ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
        }
    }

    @Override
    public void close() {
        if (this.socket != null) {
            try {
                this.socket.close();
            }
            catch (IOException ex) {
                // closing anyway
            }
            this.socket = null;
        }
    }

    /**
     * A response.
     *
     * @param status the status code, or {@link #CLOSED}
     * @param headers the headers, names in lower case
     * @param body the body
     */
    public record Response(int status, Map<String, String> headers, byte[] body) {

        boolean closes() {
            return "close".equalsIgnoreCase(this.headers.get("connection"));
        }

        public String text() {
            return new String(this.body, StandardCharsets.UTF_8);
        }

    }

}
