package io.github.workerexporter.server;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.github.workerexporter.server.MetricsServerTestSupport.authenticated;
import static io.github.workerexporter.server.MetricsServerTestSupport.get;
import static io.github.workerexporter.server.MetricsServerTestSupport.registryWithCounter;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link MetricsServerBasicAuthenticator} on a real metrics server.
 */
class MetricsServerBasicAuthenticatorTests {

    private MetricsServerManager manager;

    private int port;

    @BeforeEach
    void startServer() {
        this.manager = new MetricsServerManager(registryWithCounter(),
                authenticated(new MetricsServerBasicAuthenticator("metrics", "prometheus", "s3cret")));
        this.manager.start();
        this.port = this.manager.getPort();
    }

    @AfterEach
    void stopServer() {
        this.manager.stop();
    }

    @Test
    void answers401WithoutCredentials() throws Exception {
        assertThat(get(this.port).status()).isEqualTo(401);
    }

    @Test
    void answers401WithAWrongPassword() throws Exception {
        assertThat(get(this.port, "Authorization", basic("prometheus", "guess")).status()).isEqualTo(401);
    }

    @Test
    void answers401WithAWrongUserName() throws Exception {
        assertThat(get(this.port, "Authorization", basic("admin", "s3cret")).status()).isEqualTo(401);
    }

    @Test
    void servesTheMetricsWithTheRightCredentials() throws Exception {
        assertThat(get(this.port, "Authorization", basic("prometheus", "s3cret")).status()).isEqualTo(200);
    }

    private static String basic(String username, String password) {
        return "Basic "
                + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

}
