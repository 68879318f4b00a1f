package io.github.workerexporter.storage.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Redis server on loopback for tests, never a mock.
 * <ul>
 * <li>{@link #shared()}: the server of the environment variable {@code REDIS_URL}
 * ({@code redis://host:port}) when it is set, else one this JVM starts. Tests sharing it
 * use key prefixes of their own.</li>
 * <li>{@link #start(String...)}: a server the test owns and may stop, restart on the same
 * port, or start with extra arguments ({@code --requirepass}, {@code --cluster-enabled}).
 * </li>
 * <li>{@link #startWithConfigFile(Path, String...)}: the same with a configuration file
 * first on the command line, which Sentinel needs ({@code --sentinel}).</li>
 * <li>{@link #startTls(Path, Path, Path, String...)}: a server that listens only on a TLS
 * port; {@link #run(Function)} cannot talk to it.</li>
 * </ul>
 * The server is the {@code redis-server} binary on the {@code PATH} (CI installs it with
 * {@code apt-get install -y redis-server}), else the Redis 7.0 binary bundled in the
 * test-scoped {@code org.signal:embedded-redis} jar, extracted and run the same way;
 * without either, the test that asked for a server is SKIPPED with the reason. A test
 * class gets its server through {@link RedisServerExtension}. It runs without persistence
 * ({@code --save '' --appendonly no}) and is killed when the test closes it, or when the
 * JVM exits.
 *
 * @author Worker Exporter
 */
public final class RedisServerSupport implements AutoCloseable {

    private static @Nullable RedisServerSupport shared;

    private static @Nullable Path binary;

    private final String host;

    private final int port;

    private final List<String> arguments;

    private final @Nullable Path configFile;

    private final boolean tls;

    private @Nullable Process process;

    private RedisServerSupport(String host, int port, List<String> arguments) {
        this(host, port, arguments, null, false);
    }

    private RedisServerSupport(String host, int port, List<String> arguments, @Nullable Path configFile, boolean tls) {
        this.host = host;
        this.port = port;
        this.arguments = arguments;
        this.configFile = configFile;
        this.tls = tls;
    }

    /**
     * The server of {@code REDIS_URL}, else one started once for this JVM.
     * @return the server
     */
    public static synchronized RedisServerSupport shared() {
        if (shared == null) {
            String url = System.getenv("REDIS_URL");
            if (url != null && !url.isBlank()) {
                URI uri = URI.create(url);
                shared = new RedisServerSupport(uri.getHost(), (uri.getPort() != -1) ? uri.getPort() : 6379, List.of());
            }
            else {
                shared = start();
            }
        }
        return shared;
    }

    /**
     * Start a server on a free port of loopback.
     * @param extraArguments more {@code redis-server} arguments
     * @return the running server
     */
    public static RedisServerSupport start(String... extraArguments) {
        RedisServerSupport server = new RedisServerSupport("127.0.0.1", freePort(), List.of(extraArguments));
        server.restart();
        return server;
    }

    /**
     * Start a server on a free port of loopback, reading a configuration file first (it
     * must be writable for Sentinel, which rewrites it).
     * @param configFile the configuration file
     * @param extraArguments more {@code redis-server} arguments, such as
     * {@code --sentinel}
     * @return the running server
     */
    public static RedisServerSupport startWithConfigFile(Path configFile, String... extraArguments) {
        RedisServerSupport server = new RedisServerSupport("127.0.0.1", freePort(), List.of(extraArguments), configFile,
                false);
        server.restart();
        return server;
    }

    /**
     * Start a server that listens on a free TLS port of loopback and on no plain port,
     * and does not ask clients for certificates.
     * @param certificate the server's certificate (PEM)
     * @param key the server's private key (PEM)
     * @param caCertificate the CA certificate (PEM)
     * @param extraArguments more {@code redis-server} arguments
     * @return the running server
     */
    public static RedisServerSupport startTls(Path certificate, Path key, Path caCertificate,
            String... extraArguments) {
        List<String> arguments = new ArrayList<>(List.of("--tls-cert-file", certificate.toString(), "--tls-key-file",
                key.toString(), "--tls-ca-cert-file", caCertificate.toString(), "--tls-auth-clients", "no"));
        arguments.addAll(List.of(extraArguments));
        RedisServerSupport server = new RedisServerSupport("127.0.0.1", freePort(), arguments, null, true);
        server.restart();
        return server;
    }

    /**
     * The host name.
     * @return the host
     */
    public String host() {
        return this.host;
    }

    /**
     * The port.
     * @return the port
     */
    public int port() {
        return this.port;
    }

    /**
     * Run Redis commands on a new connection without credentials.
     * @param <T> the result type
     * @param commands what to run
     * @return the result
     */
    public <T> T run(Function<RedisCommands<String, String>, T> commands) {
        RedisClient client = RedisClient.create(RedisURI.create(this.host, this.port));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return commands.apply(connection.sync());
        }
        finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    /**
     * Stop the server (a server the test started).
     */
    public void stop() {
        Process running = Objects.requireNonNull(this.process, "not a server this JVM started");
        running.destroy();
        try {
            if (!running.waitFor(10, TimeUnit.SECONDS)) {
                running.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        this.process = null;
    }

    /**
     * Start the server again on the same port with the same arguments.
     */
    public void restart() {
        List<String> command = new ArrayList<>(List.of(binary().toString()));
        if (this.configFile != null) {
            command.add(this.configFile.toString());
        }
        if (this.tls) {
            command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(this.port)));
        }
        else {
            command.addAll(List.of("--port", Integer.toString(this.port)));
        }
        command.addAll(List.of("--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
        command.addAll(this.arguments);
        try {
            this.process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(Redirect.DISCARD)
                .start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        Process started = this.process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
        awaitReady(started);
    }

    @Override
    public void close() {
        if (this.process != null) {
            stop();
        }
    }

    private void awaitReady(Process started) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && started.isAlive()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(this.host, this.port), 1000);
                if (this.tls) {
                    // listening; a PING would need a TLS handshake
                    return;
                }
                socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                String reply = new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
                if (reply != null && (reply.startsWith("+PONG") || reply.startsWith("-NOAUTH"))) {
                    return;
                }
            }
            catch (IOException ex) {
                // not listening yet
            }
            sleep();
        }
        throw new IllegalStateException("redis-server did not start on port " + this.port);
    }

    private static synchronized Path binary() {
        if (binary == null) {
            Path found = findBinary();
            if (found == null) {
                // Skipped with the reason, never silently absent.
                Assumptions.abort("No redis-server on the PATH and no bundled " + bundledName()
                        + "; install one with 'apt-get install -y redis-server'");
            }
            binary = found;
        }
        return binary;
    }

    private static @Nullable Path findBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return bundledBinary();
    }

    private static String bundledName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("mac") ? "darwin" : "linux";
        String arch = System.getProperty("os.arch").contains("aarch64") ? "arm64" : "amd64";
        return "redis-server-7.0.15-" + os + "-" + arch;
    }

    private static @Nullable Path bundledBinary() {
        String name = bundledName();
        try (InputStream in = RedisServerSupport.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                return null;
            }
            Path extracted = Files.createTempFile("redis-server", "");
            Files.copy(in, extracted, StandardCopyOption.REPLACE_EXISTING);
            extracted.toFile().setExecutable(true);
            extracted.toFile().deleteOnExit();
            return extracted;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

}
