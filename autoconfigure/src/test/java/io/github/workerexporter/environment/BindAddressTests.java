package io.github.workerexporter.environment;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link BindAddress}.
 *
 * @author Worker Exporter
 */
class BindAddressTests {

    @Test
    void parsesHostAndPort() {
        assertThat(BindAddress.parse("localhost:8080")).isEqualTo(new BindAddress("localhost", 8080));
    }

    @Test
    void parsesAllInterfacesAddress() throws Exception {
        BindAddress bind = BindAddress.parse("0.0.0.0:8080");
        assertThat(bind).isEqualTo(new BindAddress("0.0.0.0", 8080));
        assertThat(bind.resolve()).isEqualTo(InetAddress.getByName("0.0.0.0"));
    }

    @Test
    void parsesBracketedIpv6Address() throws Exception {
        BindAddress bind = BindAddress.parse("[::1]:8080");
        assertThat(bind).isEqualTo(new BindAddress("::1", 8080));
        assertThat(bind.resolve()).isEqualTo(InetAddress.getByName("::1"));
        assertThat(bind).hasToString("[::1]:8080");
    }

    @Test
    void parsesPortOnlyAsAllInterfaces() {
        BindAddress bind = BindAddress.parse(":8080");
        assertThat(bind).isEqualTo(new BindAddress(null, 8080));
        assertThat(bind.resolve()).isNull();
        assertThat(bind).hasToString(":8080");
    }

    @Test
    void rejectsUnixSocket() {
        assertThatIllegalArgumentException().isThrownBy(() -> BindAddress.parse("unix:/tmp/gunicorn.sock"))
            .withMessage("unix sockets are not supported by the embedded web server; bind to HOST:PORT instead");
    }

    @Test
    void rejectsMissingPort() {
        assertThatIllegalArgumentException().isThrownBy(() -> BindAddress.parse("localhost"))
            .withMessage("'localhost' has no port; use HOST:PORT, [IPv6]:PORT or :PORT");
    }

    @Test
    void rejectsNonNumericPort() {
        assertThatIllegalArgumentException().isThrownBy(() -> BindAddress.parse("localhost:http"))
            .withMessage("'localhost:http' has no valid port: 'http' is not a number");
    }

    @Test
    void rejectsPortOutOfRange() {
        assertThatIllegalArgumentException().isThrownBy(() -> BindAddress.parse("localhost:70000"))
            .withMessage("port 70000 is out of range (0-65535)");
    }

    @Test
    void rejectsUnbracketedIpv6Address() {
        assertThatIllegalArgumentException().isThrownBy(() -> BindAddress.parse("::1:8080"))
            .withMessage("'::1:8080' looks like an IPv6 address; use [IPv6]:PORT");
    }

    @Test
    void rejectsUnclosedBracket() {
        assertThatIllegalArgumentException().isThrownBy(() -> BindAddress.parse("[::1:8080"))
            .withMessage("'[::1:8080' has an unclosed IPv6 bracket; use [IPv6]:PORT");
    }

    @Test
    void rejectsUnresolvableHostWhenResolved() {
        assertThatIllegalArgumentException().isThrownBy(() -> BindAddress.parse("no-such-host.invalid:8080").resolve())
            .withMessage("host 'no-such-host.invalid' cannot be resolved");
    }

}
