package io.github.workerexporter.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import org.jspecify.annotations.Nullable;

/**
 * Basic authentication with one user. Credentials are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time taken does not depend on how much of them
 * matches, and both the user name and the password are always compared.
 * <p>
 * Every request without the right credentials gets the same answer: a 401 with an empty
 * body and the {@code WWW-Authenticate} challenge, whether the header is missing, of
 * another scheme, malformed (not Base64, no {@code ':'}) or holds a wrong user name or
 * password. The JDK's own {@link BasicAuthenticator} answers some of these without the
 * challenge and drops the connection on malformed Base64. The scheme name is matched
 * without regard to case (RFC 9110).
 *
 * @author Worker Exporter
 */
public class MetricsServerBasicAuthenticator extends BasicAuthenticator {

    private static final Pattern BASIC = Pattern.compile("(?i)basic +([A-Za-z0-9+/]+=*) *");

    private final byte[] username;

    private final byte[] password;

    private final String challenge;

    /**
     * Create an authenticator.
     * @param realm the realm announced to clients
     * @param username the user name
     * @param password the password
     */
    public MetricsServerBasicAuthenticator(String realm, String username, String password) {
        super(realm, StandardCharsets.UTF_8);
        this.username = digest(username);
        this.password = digest(password);
        this.challenge = "Basic realm=\"" + realm.replace("\\", "\\\\").replace("\"", "\\\"") + "\", charset=\"UTF-8\"";
    }

    @Override
    public Result authenticate(HttpExchange exchange) {
        String @Nullable [] credentials = credentials(exchange.getRequestHeaders().getFirst("Authorization"));
        if (credentials != null && checkCredentials(credentials[0], credentials[1])) {
            return new Success(new HttpPrincipal(credentials[0], this.realm));
        }
        exchange.getResponseHeaders().set("WWW-Authenticate", this.challenge);
        return new Retry(401);
    }

    @Override
    public boolean checkCredentials(String username, String password) {
        boolean usernameMatches = MessageDigest.isEqual(this.username, digest(username));
        boolean passwordMatches = MessageDigest.isEqual(this.password, digest(password));
        return usernameMatches & passwordMatches;
    }

    /**
     * The user name and password of a Basic {@code Authorization} header.
     * @param header the header, or {@code null}
     * @return the user name and the password, or {@code null} when the header is missing
     * or is not a well-formed Basic header
     */
    private static String @Nullable [] credentials(@Nullable String header) {
        if (header == null) {
            return null;
        }
        Matcher matcher = BASIC.matcher(header);
        if (!matcher.matches()) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(matcher.group(1)), StandardCharsets.UTF_8);
        }
        catch (IllegalArgumentException ex) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return (colon >= 0) ? new String[] { decoded.substring(0, colon), decoded.substring(colon + 1) } : null;
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is not available", ex);
        }
    }

}
