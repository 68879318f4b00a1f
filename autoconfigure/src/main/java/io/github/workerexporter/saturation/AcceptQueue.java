package io.github.workerexporter.saturation;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The kernel's accept queue of a listening socket on Linux, read from
 * {@code /proc/net/tcp} and {@code /proc/net/tcp6}: connections the kernel has
 * established and the server has not accepted yet. For a socket in state {@code LISTEN}
 * ({@code 0A}) the {@code rx_queue} column is that length ({@code sk_ack_backlog}); the
 * {@code tx_queue} column is not its limit (it reads 0), so the limit is the backlog the
 * server asked for, capped by {@code /proc/sys/net/core/somaxconn} as {@code listen(2)}
 * caps it. The kernel lists listening sockets before all others and writes the table as
 * it is read, so a read asks for little at a time and stops at the socket it looks for
 * (or at the first socket that does not listen): the kernel then never walks its table of
 * connections. Java listens on IPv6 sockets by default, so {@code tcp6} is read first.
 *
 * @author Worker Exporter
 */
public final class AcceptQueue {

    private static final String LISTEN = "0A";

    private final List<Path> tables;

    private final long somaxconn;

    /**
     * Read the queues from the given tables.
     * @param tables the tables, such as {@code /proc/net/tcp6} and {@code /proc/net/tcp}
     * @param somaxconn the kernel's cap of a backlog, or {@link ServerReading#NONE}
     */
    public AcceptQueue(List<Path> tables, long somaxconn) {
        this.tables = List.copyOf(tables);
        this.somaxconn = somaxconn;
    }

    /**
     * The accept queues of this machine, or {@code null} where there is no
     * {@code /proc/net/tcp} (not Linux).
     * @return the accept queues or {@code null}
     */
    public static @Nullable AcceptQueue linux() {
        Path tcp = Path.of("/proc/net/tcp");
        if (!Files.isReadable(tcp)) {
            return null;
        }
        return new AcceptQueue(List.of(tcp, Path.of("/proc/net/tcp6")),
                somaxconn(Path.of("/proc/sys/net/core/somaxconn")));
    }

    private static long somaxconn(Path file) {
        // A line, not Files.readString: a /proc file says it is empty, and Java 17 then
        // reads its first character only.
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            String line = reader.readLine();
            return (line != null) ? Long.parseLong(line.trim()) : ServerReading.NONE;
        }
        catch (IOException | NumberFormatException ex) {
            return ServerReading.NONE;
        }
    }

    /**
     * The current length of the accept queue of a listening socket.
     * @param socket the socket
     * @return the length, or {@link ServerReading#NONE} when no such socket is listed
     * @throws IOException if a table cannot be read
     */
    public long length(ListenSocket socket) throws IOException {
        Match match = new Match(socket);
        for (Path table : this.tables) {
            if (match.exact < 0 && Files.isReadable(table)) {
                try (BufferedReader reader = new BufferedReader(
                        new InputStreamReader(new SmallReads(Files.newInputStream(table)), StandardCharsets.US_ASCII),
                        SmallReads.SIZE)) {
                    match.scan(reader);
                }
            }
        }
        return match.length();
    }

    /**
     * The limit of the accept queue of a listening socket: its backlog, capped by
     * {@code somaxconn}.
     * @param socket the socket
     * @return the limit, or {@link ServerReading#NONE} when the server does not say its
     * backlog
     */
    public long limit(ListenSocket socket) {
        if (socket.backlog() < 0 || this.somaxconn < 0) {
            return socket.backlog();
        }
        return Math.min(socket.backlog(), this.somaxconn);
    }

    /**
     * The length of the accept queue of a listening socket in one table: the socket bound
     * to the address, or to all addresses when the address is {@code null} or the
     * wildcard (an IPv4 address also matches its IPv4-mapped IPv6 form).
     * @param table the text of {@code /proc/net/tcp} or {@code /proc/net/tcp6}
     * @param port the port
     * @param address the address, or {@code null}
     * @return the length, or {@link ServerReading#NONE} when no such socket is listed
     * @throws IOException if the table cannot be read
     */
    static long length(BufferedReader table, int port, @Nullable InetAddress address) throws IOException {
        Match match = new Match(new ListenSocket(port, address, ServerReading.NONE));
        match.scan(table);
        return match.length();
    }

    /**
     * The listening sockets on one port, across tables: the one bound to the address
     * wins; without an address, the one bound to all addresses, else the only one.
     */
    private static final class Match {

        private final ListenSocket socket;

        private final boolean wildcard;

        private long exact = ServerReading.NONE;

        private long other = ServerReading.NONE;

        private int others;

        Match(ListenSocket socket) {
            this.socket = socket;
            this.wildcard = socket.address() == null || socket.address().isAnyLocalAddress();
        }

        void scan(BufferedReader table) throws IOException {
            table.readLine();
            while (this.exact < 0) {
                String line = table.readLine();
                if (line == null) {
                    return;
                }
                String[] columns = line.trim().split("\\s+", 6);
                if (columns.length < 5 || !LISTEN.equals(columns[3])) {
                    return;
                }
                try {
                    add(columns[1], columns[4]);
                }
                catch (NumberFormatException | IndexOutOfBoundsException ex) {
                    throw new IOException("Unexpected line in the TCP table: " + line, ex);
                }
            }
        }

        private void add(String local, String queues) throws UnknownHostException {
            int colon = local.indexOf(':');
            if (Integer.parseInt(local, colon + 1, local.length(), 16) == this.socket.port()) {
                long queue = Long.parseLong(queues, queues.indexOf(':') + 1, queues.length(), 16);
                InetAddress bound = address(local.substring(0, colon));
                if (this.wildcard ? bound.isAnyLocalAddress() : bound.equals(this.socket.address())) {
                    this.exact = queue;
                }
                else {
                    this.other = queue;
                    this.others++;
                }
            }
        }

        long length() {
            if (this.exact >= 0) {
                return this.exact;
            }
            return (this.socket.address() == null && this.others == 1) ? this.other : ServerReading.NONE;
        }

    }

    /**
     * Reads of at most {@link #SIZE} bytes, so that the kernel writes only a few lines of
     * the table at a time.
     */
    private static final class SmallReads extends FilterInputStream {

        static final int SIZE = 1024;

        SmallReads(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            return super.read(bytes, offset, Math.min(length, SIZE));
        }

    }

    /**
     * An address as the kernel prints it: 32-bit words in hexadecimal, each in the byte
     * order of this machine; an IPv4-mapped IPv6 address becomes its IPv4 address.
     * @param hex 8 or 32 hexadecimal digits
     * @return the address
     */
    static InetAddress address(String hex) throws UnknownHostException {
        byte[] bytes = new byte[hex.length() / 2];
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int word = 0; word < bytes.length; word += 4) {
            for (int i = 0; i < 4; i++) {
                int digit = 2 * (word + (little ? 3 - i : i));
                bytes[word + i] = (byte) Integer.parseInt(hex, digit, digit + 2, 16);
            }
        }
        // InetAddress turns an IPv4-mapped IPv6 address into its Inet4Address.
        return InetAddress.getByAddress(bytes);
    }

}
