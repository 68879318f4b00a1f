package io.github.workerexporter.saturation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link AcceptQueue}: the parser on lines captured from a Linux 6.18 kernel's
 * {@code /proc/net/tcp} and {@code /proc/net/tcp6} (listeners with 3, 1 and 2 connections
 * not accepted), then the kernel's own table under a listener that never accepts.
 *
 * @author Worker Exporter
 */
class AcceptQueueTests {

    /** 127.0.0.1:33737 in {@code tcp}, backlog 2, 3 connections not accepted. */
    private static final int LOOPBACK_PORT = 0x83C9;

    /** [::]:32959 in {@code tcp6}, 1 connection not accepted. */
    private static final int WILDCARD_PORT = 0x80BF;

    /** [::ffff:127.0.0.1]:51891 in {@code tcp6}, 2 connections not accepted. */
    private static final int MAPPED_PORT = 0xCAB3;

    @Test
    void readsTheQueueOfAnIpv4ListenerOnItsAddress() throws IOException {
        assertThat(length("tcp", LOOPBACK_PORT, InetAddress.getByName("127.0.0.1"))).isEqualTo(3);
    }

    @Test
    void readsTheQueueOfAListenerOnAllAddresses() throws IOException {
        assertThat(length("tcp6", WILDCARD_PORT, null)).isEqualTo(1);
        assertThat(length("tcp6", WILDCARD_PORT, InetAddress.getByName("::"))).isEqualTo(1);
        assertThat(length("tcp6", WILDCARD_PORT, InetAddress.getByName("0.0.0.0"))).isEqualTo(1);
    }

    @Test
    void matchesAnIpv4MappedListenerByItsIpv4Address() throws IOException {
        assertThat(length("tcp6", MAPPED_PORT, InetAddress.getByName("127.0.0.1"))).isEqualTo(2);
    }

    @Test
    void takesTheOnlyListenerOnThePortWhenTheServerDoesNotSayItsAddress() throws IOException {
        assertThat(length("tcp", LOOPBACK_PORT, null)).isEqualTo(3);
    }

    @Test
    void findsNoQueueOnAnotherAddressOrPort() throws IOException {
        assertThat(length("tcp", LOOPBACK_PORT, InetAddress.getByName("10.1.2.3"))).isEqualTo(ServerReading.NONE);
        assertThat(length("tcp", LOOPBACK_PORT, InetAddress.getByName("0.0.0.0"))).isEqualTo(ServerReading.NONE);
        assertThat(length("tcp", 9, null)).isEqualTo(ServerReading.NONE);
        assertThat(length("tcp6", 0xA623, null)).as("a port with TIME_WAIT connections only")
            .isEqualTo(ServerReading.NONE);
    }

    @Test
    void failsOnALineItCannotRead() {
        String table = "  sl  local_address rem_address   st tx_queue rx_queue\n   0: 0100007F:XYZ 00000000:0000 0A 00000000:00000003\n";
        assertThatIOException()
            .isThrownBy(() -> AcceptQueue.length(new BufferedReader(new StringReader(table)), 80, null))
            .withMessageContaining("0100007F:XYZ");
    }

    @Test
    void limitIsTheBacklogCappedBySomaxconn() {
        AcceptQueue queue = new AcceptQueue(List.of(), 128);
        assertThat(queue.limit(new ListenSocket(8080, null, 100))).isEqualTo(100);
        assertThat(queue.limit(new ListenSocket(8080, null, 1000))).isEqualTo(128);
        assertThat(queue.limit(new ListenSocket(8080, null, ServerReading.NONE))).isEqualTo(ServerReading.NONE);
    }

    @Test
    void capsTheLimitBySomaxconnReadWhole() throws IOException {
        AcceptQueue queue = AcceptQueue.linux();
        assumeTrue(queue != null, "no /proc/net/tcp: the accept queue is read on Linux only");
        long somaxconn;
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/net/core/somaxconn"))) {
            somaxconn = Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
        assertThat(queue.limit(new ListenSocket(8080, null, Integer.MAX_VALUE))).isEqualTo(somaxconn);
    }

    @Test
    void readsTheKernelsQueueOfAListenerThatNeverAccepts() throws IOException {
        AcceptQueue queue = AcceptQueue.linux();
        assumeTrue(queue != null, "no /proc/net/tcp: the accept queue is read on Linux only");
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        List<Socket> clients = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 2, loopback)) {
            ListenSocket socket = new ListenSocket(listener.getLocalPort(), loopback, 2);
            assertThat(queue.length(socket)).isZero();
            for (int i = 0; i < 2; i++) {
                Socket client = new Socket();
                clients.add(client);
                client.connect(new InetSocketAddress(loopback, listener.getLocalPort()), 5_000);
            }
            assertThat(queue.length(socket)).isEqualTo(2);
            assertThat(queue.limit(socket)).isEqualTo(2);
            assertThat(queue.length(new ListenSocket(listener.getLocalPort(), null, 2))).isEqualTo(2);
        }
        finally {
            for (Socket client : clients) {
                client.close();
            }
        }
    }

    private static long length(String table, int port, @Nullable InetAddress address) throws IOException {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
                "the lines were captured on a little-endian machine, and the kernel prints addresses in its byte order");
        try (InputStream in = AcceptQueueTests.class.getResourceAsStream(table);
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            return AcceptQueue.length(reader, port, address);
        }
    }

}
