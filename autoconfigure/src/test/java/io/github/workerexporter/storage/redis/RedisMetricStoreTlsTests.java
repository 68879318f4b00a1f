package io.github.workerexporter.storage.redis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.workerexporter.autoconfigure.StartupFailures;
import io.github.workerexporter.autoconfigure.WorkerExporterAutoConfiguration;
import io.github.workerexporter.server.TestCertificates;
import io.github.workerexporter.storage.StoreException;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.workerexporter.storage.redis.RedisMetricStoreTests.record;
import static io.github.workerexporter.storage.redis.RedisMetricStoreTests.workerIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests for {@link RedisMetricStore} over TLS with an ACL user: a server that listens
 * only on a TLS port, with a certificate from a CA the tests make with {@code openssl}.
 * <ul>
 * <li>The application's connection factory ({@code spring.data.redis.*} with an SSL
 * bundle that trusts the CA) works end to end.</li>
 * <li>The exporter's own connection ({@code exporter.redis.ssl=true}) trusts what the JVM
 * trusts: it fails the handshake against the test CA, and works once the JVM's trust
 * store holds the CA, or with {@code exporter.redis.ssl-bundle} naming a bundle that
 * trusts it.</li>
 * </ul>
 *
 * @author Worker Exporter
 */
class RedisMetricStoreTlsTests {

    private static final String USER = "alice";

    private static final String PASSWORD = "tls-s3cret-pw";

    private static @Nullable RedisServerSupport server;

    /** Why there is no TLS server, if there is none. */
    private static String unavailable = "no TLS server";

    @TempDir
    static Path dir;

    private final String prefix = "tls:" + UUID.randomUUID();

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(WorkerExporterAutoConfiguration.class))
        .withPropertyValues("exporter.redis.enabled=true", "exporter.redis.key-prefix=" + this.prefix);

    @BeforeAll
    static void startTlsServer() throws Exception {
        TestCertificates certificates;
        try {
            certificates = TestCertificates.create(dir);
        }
        catch (IOException ex) {
            // Each test is then skipped with this reason (running), not left out.
            unavailable = "no openssl command: " + ex.getMessage();
            return;
        }
        try {
            server = RedisServerSupport.startTls(certificates.serverCertificate(), certificates.serverKey(),
                    certificates.ca(), "--user", "default", "off", "--user", USER, "on", ">" + PASSWORD, "~*", "&*",
                    "+@all");
        }
        catch (IllegalStateException ex) {
            unavailable = "redis-server cannot listen on a TLS port: " + ex.getMessage();
        }
    }

    @AfterAll
    static void stopTlsServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void publishesAndReadsOverTlsThroughTheApplicationsFactoryWithAnSslBundle() {
        RedisServerSupport server = running();
        this.contextRunner
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class))
            .withPropertyValues(applicationConnection(server, PASSWORD))
            .run((context) -> {
                assertThat(context).hasNotFailed().hasSingleBean(RedisMetricStore.class);
                RedisMetricStore store = context.getBean(RedisMetricStore.class);
                assertThat(store.location()).isEqualTo("127.0.0.1:" + server.port());
                store.publish(record("worker-1"));
                store.publish(record("worker-2"));
                assertThat(workerIds(store)).containsExactlyInAnyOrder("worker-1", "worker-2");
                store.remove("worker-1");
                assertThat(workerIds(store)).containsExactly("worker-2");
            });
    }

    @Test
    void theExportersOwnConnectionTrustsThePrivateCaOfAnSslBundle() {
        RedisServerSupport server = running();
        this.contextRunner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
            .withPropertyValues(exporterConnection(server, false))
            .withPropertyValues("exporter.redis.ssl-bundle=redis",
                    "spring.ssl.bundle.pem.redis.truststore.certificate=file:" + dir.resolve("ca.pem"))
            .run((context) -> {
                assertThat(context).hasNotFailed();
                RedisMetricStore store = context.getBean(RedisMetricStore.class);
                assertThat(store.location()).isEqualTo("127.0.0.1:" + server.port());
                store.publish(record("worker-1"));
                assertThat(workerIds(store)).containsExactly("worker-1");
            });
    }

    @Test
    void anUnknownSslBundleFailsStartUpNamingTheProperty() {
        RedisServerSupport server = running();
        this.contextRunner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
            .withPropertyValues(exporterConnection(server, false))
            .withPropertyValues("exporter.redis.ssl-bundle=missing")
            .run((context) -> assertThat(StartupFailures.message(context.getStartupFailure())).contains("'missing'",
                    "'exporter.redis.ssl-bundle'", "no such SSL bundle", "spring.ssl.bundle"));
    }

    @Test
    void aWrongPasswordOverTlsFailsWithoutShowingIt() {
        RedisServerSupport server = running();
        String wrong = "wrong-tls-pw-" + UUID.randomUUID();
        this.contextRunner
            .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DataRedisAutoConfiguration.class))
            .withPropertyValues(applicationConnection(server, wrong))
            .run((context) -> {
                RedisMetricStore store = context.getBean(RedisMetricStore.class);
                assertThatExceptionOfType(StoreException.class).isThrownBy(store::readAll)
                    .satisfies((ex) -> assertThat(messages(ex)).doesNotContain(wrong).doesNotContain(PASSWORD));
            });
    }

    @Test
    void exporterRedisSslHandshakesAndRejectsAServerTheJvmDoesNotTrust() {
        RedisServerSupport server = running();
        this.contextRunner.withPropertyValues(exporterConnection(server, true)).run((context) -> {
            assertThat(context).hasNotFailed();
            RedisMetricStore store = context.getBean(RedisMetricStore.class);
            assertThat(store.location()).isEqualTo("127.0.0.1:" + server.port() + " (TLS)");
            assertThatExceptionOfType(StoreException.class).isThrownBy(() -> store.publish(record("worker-1")))
                .satisfies((ex) -> {
                    assertThat(causes(ex)).anyMatch(SSLHandshakeException.class::isInstance);
                    assertThat(messages(ex)).contains("PKIX path building failed")
                        .contains(store.location())
                        .doesNotContain(PASSWORD);
                });
            assertThatExceptionOfType(StoreException.class).isThrownBy(store::readAll)
                .satisfies((ex) -> assertThat(messages(ex)).doesNotContain(PASSWORD));
        });
    }

    @Test
    void exporterRedisWithoutSslCannotTalkToATlsPort() {
        RedisServerSupport server = running();
        this.contextRunner.withPropertyValues(exporterConnection(server, false)).run((context) -> {
            RedisMetricStore store = context.getBean(RedisMetricStore.class);
            assertThatExceptionOfType(StoreException.class).isThrownBy(() -> store.publish(record("worker-1")))
                .satisfies((ex) -> {
                    assertThat(causes(ex)).noneMatch(SSLException.class::isInstance);
                    assertThat(messages(ex)).doesNotContain(PASSWORD);
                });
        });
    }

    @Test
    void exporterRedisSslWorksWithAnAclUserWhenTheJvmTrustsTheCa() throws Exception {
        RedisServerSupport server = running();
        Path trustStore = new TestCertificates(dir).trustStore("changeit");
        Map<String, String> trust = Map.of("javax.net.ssl.trustStore", trustStore.toString(),
                "javax.net.ssl.trustStorePassword", "changeit", "javax.net.ssl.trustStoreType", "PKCS12");
        Map<String, @Nullable String> previous = new HashMap<>();
        trust.forEach((name, value) -> previous.put(name, System.setProperty(name, value)));
        try {
            this.contextRunner.withPropertyValues(exporterConnection(server, true)).run((context) -> {
                RedisMetricStore redis = context.getBean(RedisMetricStore.class);
                redis.publish(record("worker-1"));
                assertThat(workerIds(redis)).containsExactly("worker-1");
            });
        }
        finally {
            previous.forEach((name, value) -> {
                if (value != null) {
                    System.setProperty(name, value);
                }
                else {
                    System.clearProperty(name);
                }
            });
        }
    }

    private static String[] applicationConnection(RedisServerSupport server, String password) {
        return new String[] { "spring.ssl.bundle.pem.redis.truststore.certificate=file:" + dir.resolve("ca.pem"),
                "spring.data.redis.ssl.bundle=redis", "spring.data.redis.host=127.0.0.1",
                "spring.data.redis.port=" + server.port(), "spring.data.redis.username=" + USER,
                "spring.data.redis.password=" + password, "spring.data.redis.timeout=5s" };
    }

    private static String[] exporterConnection(RedisServerSupport server, boolean ssl) {
        return new String[] { "exporter.redis.host=127.0.0.1", "exporter.redis.port=" + server.port(),
                "exporter.redis.ssl=" + ssl, "exporter.redis.username=" + USER, "exporter.redis.password=" + PASSWORD,
                "exporter.redis.timeout=3s" };
    }

    private static RedisServerSupport running() {
        assumeTrue(server != null, () -> unavailable);
        return server;
    }

    private static List<Throwable> causes(Throwable ex) {
        List<Throwable> causes = new ArrayList<>();
        for (Throwable cause = ex; cause != null && !causes.contains(cause); cause = cause.getCause()) {
            causes.add(cause);
        }
        return causes;
    }

    private static String messages(Throwable ex) {
        StringBuilder messages = new StringBuilder();
        causes(ex).forEach((cause) -> {
            messages.append(cause).append('\n');
            for (Throwable suppressed : cause.getSuppressed()) {
                messages.append(suppressed).append('\n');
            }
        });
        return messages.toString();
    }

}
