package io.github.workerexporter.saturation;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.web.server.WebServer;
import org.springframework.util.ClassUtils;

/**
 * The saturation of a running web server, read when scraped: Tomcat's connector and
 * executor, Jetty's thread pool and connectors. Another server (Reactor Netty) only says
 * its port.
 *
 * @author Worker Exporter
 */
public interface ServerSaturation {

    /**
     * Read the server now.
     * @return what the server says
     */
    ServerReading read();

    /**
     * The socket on which the server accepts connections.
     * @return the socket, or {@code null} when the server does not listen on a port
     */
    @Nullable ListenSocket listenSocket();

    /**
     * The saturation of a running web server.
     * @param webServer the web server, started
     * @return its saturation
     */
    static ServerSaturation of(WebServer webServer) {
        ClassLoader classLoader = ServerSaturation.class.getClassLoader();
        ServerSaturation saturation = null;
        if (ClassUtils.isPresent("org.springframework.boot.tomcat.TomcatWebServer", classLoader)) {
            saturation = TomcatSaturation.of(webServer);
        }
        if (saturation == null && ClassUtils.isPresent("org.springframework.boot.jetty.JettyWebServer", classLoader)) {
            saturation = JettySaturation.of(webServer);
        }
        if (saturation == null) {
            ListenSocket socket = (webServer.getPort() > 0)
                    ? new ListenSocket(webServer.getPort(), null, ServerReading.NONE) : null;
            saturation = new ServerSaturation() {

                @Override
                public ServerReading read() {
                    return ServerReading.EMPTY;
                }

                @Override
                public @Nullable ListenSocket listenSocket() {
                    return socket;
                }

            };
        }
        return saturation;
    }

}
