package io.github.workerexporter.storage.redis;

import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration.LettuceClientConfigurationBuilder;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A standalone Redis server to connect to when the application has no
 * {@code RedisConnectionFactory} of its own. {@link #toString()} never shows the
 * password.
 *
 * @param host the host
 * @param port the port
 * @param database the database index
 * @param username the ACL user name, or {@code null}
 * @param password the password, or {@code null}
 * @param ssl whether to use TLS
 * @param timeout the connect timeout and the command timeout
 * @author Worker Exporter
 */
public record RedisEndpoint(String host, int port, int database, @Nullable String username, @Nullable String password,
        boolean ssl, Duration timeout) {

    /**
     * A Lettuce connection factory for this endpoint, not yet initialised. It connects on
     * first use, within the timeout; while disconnected, commands fail at once instead of
     * waiting in a queue, and Lettuce reconnects in the background.
     * @return the connection factory
     */
    public LettuceConnectionFactory createConnectionFactory() {
        return createConnectionFactory(null);
    }

    /**
     * A Lettuce connection factory for this endpoint over TLS with the trust and key
     * material of a Spring Boot SSL bundle (a private CA, a client certificate), not yet
     * initialised.
     * @param sslBundle the bundle, or {@code null} for {@link #ssl()} with the JVM's
     * trust store
     * @return the connection factory
     */
    public LettuceConnectionFactory createConnectionFactory(@Nullable SslBundle sslBundle) {
        RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(this.host, this.port);
        server.setDatabase(this.database);
        server.setUsername(this.username);
        server.setPassword(RedisPassword.of(this.password));
        ClientOptions.Builder options = ClientOptions.builder()
            .socketOptions(SocketOptions.builder().connectTimeout(this.timeout).build())
            .disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS);
        if (sslBundle != null) {
            SslManagerBundle managers = sslBundle.getManagers();
            options.sslOptions(SslOptions.builder()
                .jdkSslProvider()
                .keyManager(managers.getKeyManagerFactory())
                .trustManager(managers.getTrustManagerFactory())
                .build());
        }
        LettuceClientConfigurationBuilder client = LettuceClientConfiguration.builder()
            .clientOptions(options.build())
            .commandTimeout(this.timeout)
            .clientName("worker-exporter");
        if (this.ssl || sslBundle != null) {
            client.useSsl();
        }
        return new LettuceConnectionFactory(server, client.build());
    }

    @Override
    public String toString() {
        return this.host + ":" + this.port + ((this.database != 0) ? "/" + this.database : "")
                + (this.ssl ? " (TLS)" : "");
    }

}
