package io.github.workerexporter.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import com.sun.net.httpserver.BasicAuthenticator;

/**
 * Basic authentication with one user. Credentials are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time taken does not depend on how much of them
 * matches. A request without the right credentials gets a 401 and no detail.
 *
 * @author Worker Exporter
 */
public class MetricsServerBasicAuthenticator extends BasicAuthenticator {

    private final byte[] username;

    private final byte[] password;

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
    }

    @Override
    public boolean checkCredentials(String username, String password) {
        boolean usernameMatches = MessageDigest.isEqual(this.username, digest(username));
        boolean passwordMatches = MessageDigest.isEqual(this.password, digest(password));
        return usernameMatches & passwordMatches;
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
