package io.github.workerexporter.environment;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.jspecify.annotations.Nullable;

/**
 * Where the embedded web server listens, parsed from gunicorn's {@code --bind} forms:
 * {@code HOST:PORT}, {@code [IPv6]:PORT} and {@code :PORT} (all interfaces). Unix sockets
 * ({@code unix:/path}) are not supported by the embedded web servers.
 *
 * @param host the host name or address literal (without brackets), or {@code null} for
 * all interfaces
 * @param port the port, 0 to 65535 (0 for any free port)
 * @author Worker Exporter
 */
public record BindAddress(@Nullable String host, int port) {

    /**
     * Create a bind address.
     * @param host the host, or {@code null} for all interfaces
     * @param port the port
     */
    public BindAddress {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range (0-65535)");
        }
    }

    /**
     * Parse a gunicorn bind address.
     * @param text {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT}
     * @return the bind address
     * @throws IllegalArgumentException if the text is not one of these forms
     */
    public static BindAddress parse(String text) {
        String value = text.trim();
        if (value.startsWith("unix:")) {
            throw new IllegalArgumentException(
                    "unix sockets are not supported by the embedded web server; bind to HOST:PORT instead");
        }
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + text + "' has no port; use HOST:PORT, [IPv6]:PORT or :PORT");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") != host.endsWith("]")) {
            throw new IllegalArgumentException("'" + text + "' has an unclosed IPv6 bracket; use [IPv6]:PORT");
        }
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "' looks like an IPv6 address; use [IPv6]:PORT");
        }
        return new BindAddress(host.isEmpty() ? null : host, parsePort(text, value.substring(colon + 1)));
    }

    private static int parsePort(String text, String port) {
        try {
            return Integer.parseInt(port);
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException("'" + text + "' has no valid port: '" + port + "' is not a number", ex);
        }
    }

    /**
     * Resolve the host.
     * @return the address, or {@code null} for all interfaces
     * @throws IllegalArgumentException if the host cannot be resolved
     */
    public @Nullable InetAddress resolve() {
        if (this.host == null) {
            return null;
        }
        try {
            return InetAddress.getByName(this.host);
        }
        catch (UnknownHostException ex) {
            throw new IllegalArgumentException("host '" + this.host + "' cannot be resolved", ex);
        }
    }

    /**
     * The host as written in a bind address: empty for all interfaces, an IPv6 literal in
     * brackets.
     * @return the host part
     */
    public String hostText() {
        if (this.host == null) {
            return "";
        }
        return this.host.contains(":") ? "[" + this.host + "]" : this.host;
    }

    @Override
    public String toString() {
        return hostText() + ":" + this.port;
    }

}
