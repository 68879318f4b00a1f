package io.github.workerexporter.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.workerexporter.reliability.SecurityHttp.Answer;
import io.github.workerexporter.server.MetricsServerBasicAuthenticator;
import io.github.workerexporter.server.MetricsServerManager;
import io.github.workerexporter.server.MetricsServerSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Basic authentication on the metrics server against hostile and broken
 * {@code Authorization} headers. Every request without the right credentials gets the
 * same 401, byte for byte but for its date: the same headers with the
 * {@code WWW-Authenticate} challenge and the same empty body, so that a client learns
 * nothing about which part was wrong; a wrong user name and a wrong password cannot be
 * told apart (the comparison itself is of SHA-256 digests with
 * {@code MessageDigest.isEqual}, which a test cannot time). Before the fix, malformed
 * Base64 or credentials without {@code ':'} dropped the connection without an answer, and
 * other schemes got a 401 without the challenge.
 *
 * @author Worker Exporter
 */
class SecurityBasicAuthTests {

    private static final String USER = "prometheus";

    private static final String PASSWORD = "scrape-s3cret-pw";

    private MetricsServerManager manager;

    private int port;

    @BeforeEach
    void startServer() {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter.builder().name("auth_probe").help("A counter").register(registry).inc();
        this.manager = new MetricsServerManager(registry, new MetricsServerSettings("127.0.0.1", 0, "/metrics", 1,
                Duration.ZERO, true, null, new MetricsServerBasicAuthenticator("metrics", USER, PASSWORD)));
        assertThat(this.manager.start()).isTrue();
        this.port = this.manager.getPort();
    }

    @AfterEach
    void stopServer() {
        this.manager.stop();
    }

    @Test
    void everyRequestWithoutTheRightCredentialsGetsTheSame401WithAChallenge() throws Exception {
        Answer reference = SecurityHttp.send(this.port, "GET", "/metrics", null);
        assertThat(reference.status()).isEqualTo(401);
        assertThat(reference.header("WWW-Authenticate")).isEqualTo("Basic realm=\"metrics\", charset=\"UTF-8\"");
        assertThat(reference.body()).isEmpty();
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("wrong user", basic("admin", PASSWORD));
        hostile.put("wrong password", basic(USER, "guess"));
        hostile.put("password one character short", basic(USER, PASSWORD.substring(1)));
        hostile.put("both wrong", basic("admin", "admin"));
        hostile.put("empty credentials", basic("", ""));
        hostile.put("user and password swapped", basic(PASSWORD, USER));
        hostile.put("no colon", "Basic " + base64(USER + PASSWORD));
        hostile.put("not Base64", "Basic !!!!not-base64!!!!");
        hostile.put("bad Base64 padding", "Basic " + base64(USER + ":" + PASSWORD) + "==");
        hostile.put("scheme without credentials", "Basic");
        hostile.put("scheme and a space", "Basic ");
        hostile.put("bearer token", "Bearer " + base64(USER + ":" + PASSWORD));
        hostile.put("digest", "Digest username=\"" + USER + "\", response=\"00\"");
        hostile.put("credentials without scheme", base64(USER + ":" + PASSWORD));
        hostile.put("two credentials", basic(USER, PASSWORD) + ", " + basic(USER, PASSWORD));
        hostile.put("not UTF-8", "Basic " + Base64.getEncoder().encodeToString(new byte[] { (byte) 0xff, ':', 'x' }));
        hostile.put("a long header", "Basic " + "A".repeat(4000));
        for (Map.Entry<String, String> entry : hostile.entrySet()) {
            Answer answer = SecurityHttp.send(this.port, "GET", "/metrics", entry.getValue());
            assertThat(answer.status()).as(entry.getKey()).isEqualTo(401);
            assertThat(answer.headers()).as(entry.getKey()).isEqualTo(reference.headers());
            assertThat(answer.body()).as(entry.getKey()).isEqualTo(reference.body());
        }
    }

    @Test
    void aWrongUserNameAndAWrongPasswordCannotBeToldApart() throws Exception {
        Answer wrongUser = SecurityHttp.send(this.port, "GET", "/metrics", basic("prometheux", PASSWORD));
        Answer wrongPassword = SecurityHttp.send(this.port, "GET", "/metrics", basic(USER, "scrape-s3cret-px"));
        assertThat(wrongUser.status()).isEqualTo(401);
        assertThat(wrongUser.headers()).isEqualTo(wrongPassword.headers());
        assertThat(wrongUser.body()).isEqualTo(wrongPassword.body());
        MetricsServerBasicAuthenticator authenticator = new MetricsServerBasicAuthenticator("metrics", USER, PASSWORD);
        assertThat(authenticator.checkCredentials("prometheux", PASSWORD)).isFalse();
        assertThat(authenticator.checkCredentials(USER, "scrape-s3cret-px")).isFalse();
        assertThat(authenticator.checkCredentials(USER, PASSWORD)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "Basic", "basic", "BASIC" })
    void servesTheMetricsWithTheRightCredentialsInAnySpellingOfTheScheme(String scheme) throws Exception {
        Answer answer = SecurityHttp.send(this.port, "GET", "/metrics", scheme + " " + base64(USER + ":" + PASSWORD));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).contains("auth_probe_total 1.0");
    }

    @Test
    void servesAPasswordThatContainsAColon() throws Exception {
        this.manager.stop();
        PrometheusRegistry registry = new PrometheusRegistry();
        this.manager = new MetricsServerManager(registry, new MetricsServerSettings("127.0.0.1", 0, "/metrics", 1,
                Duration.ZERO, true, null, new MetricsServerBasicAuthenticator("metrics", USER, "a:b:c")));
        this.manager.start();
        assertThat(SecurityHttp.send(this.manager.getPort(), "GET", "/metrics", basic(USER, "a:b:c")).status())
            .isEqualTo(200);
        assertThat(SecurityHttp.send(this.manager.getPort(), "GET", "/metrics", basic(USER, "a:b")).status())
            .isEqualTo(401);
    }

    @Test
    void everyPathAsksForCredentialsBeforeAnsweringAnything() throws Exception {
        Answer reference = SecurityHttp.send(this.port, "GET", "/metrics", null);
        for (String path : new String[] { "/", "/-/healthy", "/env", "/../etc/passwd", "/metrics?debug=true" }) {
            Answer answer = SecurityHttp.send(this.port, "GET", path, basic("admin", "admin"));
            assertThat(answer.status()).as(path).isEqualTo(401);
            assertThat(answer.headers()).as(path).isEqualTo(reference.headers());
            assertThat(answer.body()).as(path).isEmpty();
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + base64(user + ":" + password);
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

}
