package io.github.workerexporter.saturation;

import java.net.InetAddress;

import org.jspecify.annotations.Nullable;

/**
 * The socket on which a web server accepts connections.
 *
 * @param port the local port
 * @param address the address it is bound to, or {@code null} for all addresses or when
 * the server does not say
 * @param backlog the backlog the server asked the kernel for, or
 * {@link ServerReading#NONE} when the server does not say
 * @author Worker Exporter
 */
public record ListenSocket(int port, @Nullable InetAddress address, long backlog) {

}
