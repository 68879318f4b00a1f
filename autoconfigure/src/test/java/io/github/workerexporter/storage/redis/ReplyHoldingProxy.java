package io.github.workerexporter.storage.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on loopback in front of a real Redis that can hold up the replies of one
 * connection: once {@link #holdRepliesAfter(String) armed}, the connection that sends the
 * named command gets no more bytes from Redis until {@link #release()}, as if that
 * command's reply were slow to come; the proxy's other connections flow. Redis itself is
 * never paused, so this shows what waits in the client, not in the server.
 *
 * @author Worker Exporter
 */
final class ReplyHoldingProxy implements AutoCloseable {

    private final ServerSocket serverSocket;

    private final String host;

    private final int port;

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private final CountDownLatch held = new CountDownLatch(1);

    private final CountDownLatch released = new CountDownLatch(1);

    private volatile byte[] command = new byte[0];

    private ReplyHoldingProxy(String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(this::accept);
    }

    static ReplyHoldingProxy start(RedisServerSupport server) {
        try {
            return new ReplyHoldingProxy(server.host(), server.port());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    String host() {
        return this.serverSocket.getInetAddress().getHostAddress();
    }

    int port() {
        return this.serverSocket.getLocalPort();
    }

    /**
     * Hold up the replies of the next connection that sends the command.
     * @param command the command as Lettuce sends it, such as {@code MGET}
     */
    void holdRepliesAfter(String command) {
        this.command = ("\r\n" + command + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Wait until a connection sent the command and its replies are held up.
     */
    void awaitHeld() throws InterruptedException {
        if (!this.held.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no connection sent the command to hold up");
        }
    }

    void release() {
        this.released.countDown();
    }

    private void accept() {
        try {
            while (true) {
                Socket client = this.serverSocket.accept();
                Socket redis = new Socket(this.host, this.port);
                this.sockets.add(client);
                this.sockets.add(redis);
                Connection connection = new Connection();
                daemon(() -> connection.upstream(client, redis));
                daemon(() -> connection.downstream(redis, client));
            }
        }
        catch (IOException ex) {
            // closed
        }
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "redis-proxy");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        release();
        this.serverSocket.close();
        for (Socket socket : this.sockets) {
            socket.close();
        }
    }

    private final class Connection {

        private volatile boolean holding;

        void upstream(Socket from, Socket to) {
            pump(from, to, (chunk, length) -> {
                byte[] armed = ReplyHoldingProxy.this.command;
                if (armed.length > 0 && contains(chunk, length, armed)) {
                    ReplyHoldingProxy.this.command = new byte[0];
                    this.holding = true;
                    ReplyHoldingProxy.this.held.countDown();
                }
            });
        }

        void downstream(Socket from, Socket to) {
            pump(from, to, (chunk, length) -> {
                if (this.holding) {
                    try {
                        ReplyHoldingProxy.this.released.await();
                    }
                    catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
        }

        private void pump(Socket from, Socket to, ChunkListener beforeForwarding) {
            byte[] chunk = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int length;
                while ((length = in.read(chunk)) >= 0) {
                    beforeForwarding.accept(chunk, length);
                    out.write(chunk, 0, length);
                    out.flush();
                }
            }
            catch (IOException ex) {
                // one side closed
            }
            finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        private static boolean contains(byte[] chunk, int length, byte[] part) {
            for (int i = 0; i + part.length <= length; i++) {
                if (Arrays.equals(chunk, i, i + part.length, part, 0, part.length)) {
                    return true;
                }
            }
            return false;
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            }
            catch (IOException ex) {
                // already closed
            }
        }

    }

    @FunctionalInterface
    private interface ChunkListener {

        void accept(byte[] chunk, int length);

    }

}
