package io.github.workerexporter.benchmarks;

import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} from the {@code PATH} on a free port of loopback, without
 * persistence, killed on {@link #close()} or when the JVM exits.
 *
 * @author Worker Exporter
 */
final class RedisServer implements AutoCloseable {

    private final int port;

    private final Process process;

    private RedisServer(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /**
     * Start a server and wait until it answers {@code PING}.
     * @return the running server
     * @throws IllegalStateException when there is no {@code redis-server} or it does not
     * start
     */
    static RedisServer start(String... options) {
        int port = freePort();
        try {
            List<String> command = new ArrayList<>(List.of(binary(), "--port", Integer.toString(port), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "no"));
            command.addAll(List.of(options));
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Redirect.DISCARD)
                .start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            RedisServer server = new RedisServer(port, process);
            server.awaitPong();
            return server;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    int port() {
        return this.port;
    }

    /**
     * One field of {@code INFO}, such as {@code used_memory} or {@code used_cpu_user}.
     * @param field the field
     * @return its value
     */
    String info(String field) {
        for (String line : command("INFO", "everything").split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        throw new IllegalStateException("No INFO field " + field);
    }

    /**
     * Send one command and answer its reply as text: a status, an error, an integer or a
     * bulk string without its length.
     * @param arguments the command and its arguments
     * @return the reply
     */
    String command(String... arguments) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", this.port), 1000);
            StringBuilder request = new StringBuilder("*" + arguments.length + "\r\n");
            for (String argument : arguments) {
                request.append('$').append(argument.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
                request.append(argument).append("\r\n");
            }
            socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String first = readLine(in);
            if (!first.startsWith("$")) {
                return first;
            }
            byte[] body = new byte[Integer.parseInt(first.substring(1))];
            in.readFully(body);
            return new String(body, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static String readLine(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n' && c >= 0; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        this.process.destroy();
        try {
            if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
                this.process.destroyForcibly();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitPong() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && this.process.isAlive()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", this.port), 1000);
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                String reply = new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
                if ("+PONG".equals(reply)) {
                    return;
                }
            }
            catch (IOException ex) {
                // Not listening yet.
            }
            try {
                Thread.sleep(50);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        this.process.destroyForcibly();
        throw new IllegalStateException("redis-server did not start on port " + this.port);
    }

    private static String binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("No redis-server on the PATH: apt-get install -y redis-server");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

}
