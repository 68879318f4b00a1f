package io.github.workerexporter.reliability;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import io.github.workerexporter.testing.RawHttp;

/**
 * Generators of hostile requests, each a kind with the status the applications of
 * {@link HostileApps} give it when it reaches them (or none, when the server itself
 * decides), from a seeded {@link Random} so that a failure reproduces.
 *
 * @author Worker Exporter
 */
final class HostileRequests {

    /** Methods no route maps, in the forms clients send them. */
    static final List<String> ODD_METHODS = List.of("PROPFIND", "FOO", "get", "Get", "MKCOL", "BREW", "PURGE",
            "M-SEARCH", "X".repeat(300), "A".repeat(8192));

    /** Paths with invalid UTF-8, broken percent-encoding and traversal, as raw bytes. */
    static final List<String> GARBAGE_PATHS = List.of("/users/%ZZ", "/users/%", "/users/%C3%28", "/users/%FF%FE",
            "/users/%00", "/users/%2F", "/users/%E2%82", "/users/\u00ff\u00fe", "/users/\u00c3\u0028",
            "/users/\u00e9t\u00e9", "/%2e%2e/%2e%2e/etc/passwd", "/users/..;/x", "/users/%u0041", "/%%%%",
            "/users/a%20b%", "/users/\u0080", "//users//1", "/users/;jsessionid=x", "/users/a\u007fb",
            "/items/%F0%9F%98%80");

    private HostileRequests() {
    }

    /**
     * The kinds of hostile request.
     */
    enum Kind {

        /** A random path no route matches. */
        UNMATCHED(404),

        /** A random value of a path variable. */
        PATH_VARIABLE(200),

        /** A random value that does not convert to the path variable's type. */
        BAD_VALUE(400),

        /** A random path under the hostile mapping whose template is the raw path. */
        RAW_TEMPLATE(500),

        /** A method no route maps, or that is not one of the standard methods. */
        ODD_METHOD(0),

        /** A 64 KiB header value. */
        LONG_HEADER(0),

        /** Invalid UTF-8 or percent-encoding garbage in the path. */
        GARBAGE_PATH(0);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        /**
         * The status the application gives, or 0 when the server decides.
         * @return the status
         */
        int status() {
            return this.status;
        }

    }

    /**
     * A request of one kind.
     *
     * @param kind its kind
     * @param bytes the bytes sent
     */
    record Request(Kind kind, byte[] bytes) {

        String describe() {
            String text = new String(this.bytes, StandardCharsets.ISO_8859_1);
            String line = text.substring(0, text.indexOf('\r'));
            return this.kind + " " + ((line.length() > 120) ? line.substring(0, 120) + "..." : line);
        }

    }

    /**
     * A request of a random kind: mostly distinct URLs, the volume of which is the point;
     * the kinds the server rejects before the application (and may answer by closing the
     * connection) less often.
     * @param random the source of randomness
     * @return the request
     */
    static Request next(Random random) {
        int draw = random.nextInt(100);
        Kind kind;
        if (draw < 35) {
            kind = Kind.UNMATCHED;
        }
        else if (draw < 70) {
            kind = Kind.PATH_VARIABLE;
        }
        else if (draw < 80) {
            kind = Kind.BAD_VALUE;
        }
        else if (draw < 88) {
            kind = Kind.RAW_TEMPLATE;
        }
        else if (draw < 94) {
            kind = Kind.ODD_METHOD;
        }
        else if (draw < 99) {
            kind = Kind.GARBAGE_PATH;
        }
        else {
            kind = Kind.LONG_HEADER;
        }
        return of(kind, random);
    }

    static Request of(Kind kind, Random random) {
        return new Request(kind, switch (kind) {
            case UNMATCHED -> RawHttp.request("GET", "/random/" + token(random) + "/" + token(random));
            case PATH_VARIABLE -> RawHttp.request("GET", "/users/" + pathValue(random));
            case BAD_VALUE -> RawHttp.request("GET", "/items/x" + token(random));
            case RAW_TEMPLATE -> RawHttp.request("GET", "/raw/" + Long.toHexString(random.nextLong()));
            case ODD_METHOD -> RawHttp.request(oddMethod(random),
                    random.nextBoolean() ? "/users/" + token(random) : "/random/" + token(random));
            case LONG_HEADER -> RawHttp.request("GET", "/users/" + token(random), "X-Long: " + "v".repeat(64 * 1024));
            case GARBAGE_PATH -> RawHttp.request("GET", garbagePath(random));
        });
    }

    private static String token(Random random) {
        return Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
    }

    /** Letters, digits, percent-encoded UTF-8 (é, €, 😀) and sub-delimiters. */
    private static String pathValue(Random random) {
        String[] parts = { "a", "Z", "9", "-", "_", "~", ".", "%C3%A9", "%E2%82%AC", "%F0%9F%98%80", "%20", "!", "$",
                "'", "(", "*", "+", ",", "=" };
        StringBuilder value = new StringBuilder(token(random));
        for (int i = random.nextInt(12); i > 0; i--) {
            value.append(parts[random.nextInt(parts.length)]);
        }
        return value.toString();
    }

    private static String oddMethod(Random random) {
        if (random.nextInt(4) == 0) {
            StringBuilder method = new StringBuilder();
            for (int i = 1 + random.nextInt(20); i > 0; i--) {
                method.append((char) ('A' + random.nextInt(26)));
            }
            return method.toString();
        }
        return ODD_METHODS.get(random.nextInt(ODD_METHODS.size()));
    }

    private static String garbagePath(Random random) {
        if (random.nextInt(3) == 0) {
            StringBuilder path = new StringBuilder("/users/");
            for (int i = 1 + random.nextInt(16); i > 0; i--) {
                // Bytes 0x21-0xFF except the ones that end a request target or line.
                char c = (char) (0x21 + random.nextInt(0xFF - 0x21 + 1));
                path.append((c == 0x7F) ? '%' : c);
            }
            return path.toString();
        }
        return GARBAGE_PATHS.get(random.nextInt(GARBAGE_PATHS.size()));
    }

}
