package io.assay.framework.serve;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Who may talk to the server, checked before any route runs (see {@code docs/security.md}):
 * <ol>
 *   <li>the {@code Host} header must name the server as bound (a loopback name when bound to loopback), which stops
 *   DNS rebinding: a page on {@code evil.example} that re-points its name at 127.0.0.1 still sends
 *   {@code Host: evil.example};</li>
 *   <li>an {@code Origin} header, when a browser sends one, must be the server's own origin, which stops cross-site
 *   "simple" requests (form posts, {@code text/plain} fetches) that need no CORS preflight;</li>
 *   <li>every request that changes state (any method but GET and HEAD) carries the per-start token as
 *   {@code Authorization: Bearer <token>} or {@code X-Assay-Token: <token>}, unless the server was started with
 *   {@code --no-auth}.</li>
 * </ol>
 * No route sets CORS headers, so a browser never lets another origin read an answer.
 */
final class Guard {

    /** A request refused before it reached a route. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String kind;

        Refused(int status, String kind, String message) {
            super(message);
            this.status = status;
            this.kind = kind;
        }
    }

    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0");
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD");

    private final String token;
    private final String boundHost;
    private final boolean wildcard;

    /**
     * @param token the token state-changing requests must carry, or null for none ({@code --no-auth})
     * @param boundHost the address the server is bound to
     */
    Guard(String token, String boundHost) {
        this.token = token;
        this.boundHost = boundHost.toLowerCase(Locale.ROOT);
        this.wildcard = WILDCARDS.contains(this.boundHost);
    }

    /** A fresh random token: 32 bytes from a {@link SecureRandom}, in hex. */
    static String newToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The token, or null when authentication is off. */
    String token() {
        return token;
    }

    /** Refuses the request unless its Host, Origin and (for state changes) token are acceptable. */
    void check(Context ctx, int port) {
        check(ctx.method().name(), ctx.path(), ctx.header("Host"), ctx.header("Origin"), ctx.header("X-Assay-Token"),
                ctx.header("Authorization"), port);
    }

    /**
     * The same decision from the request's parts (headers null when absent).
     *
     * @throws Refused naming the header that is wrong
     */
    void check(String method, String path, String host, String origin, String xToken, String authorization,
            int port) {
        if (host == null || !hostAllowed(host.trim().toLowerCase(Locale.ROOT), port)) {
            throw new Refused(403, "forbidden-host", "header 'Host' must name this server (" + expectedHosts(port)
                    + "), found '" + clip(host) + "'");
        }
        if (origin != null && !origin.trim().equalsIgnoreCase("http://" + host.trim())) {
            throw new Refused(403, "forbidden-origin", "header 'Origin' must be this server's own origin (http://"
                    + clip(host.trim()) + "), found '" + clip(origin) + "'");
        }
        if (token != null && !SAFE_METHODS.contains(method)) {
            String given = presented(xToken, authorization);
            if (given == null) {
                throw new Refused(401, "unauthorized", method + " " + path
                        + " changes state: send the server's token as header 'Authorization: Bearer <token>' or "
                        + "'X-Assay-Token' (printed at start and stored in the token file)");
            }
            if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                    token.getBytes(StandardCharsets.UTF_8))) {
                throw new Refused(401, "unauthorized", "the token in header '"
                        + (xToken != null ? "X-Assay-Token" : "Authorization")
                        + "' is not this server's (a new token is made at every start)");
            }
        }
    }

    private static String presented(String x, String auth) {
        if (x != null) {
            return x.trim();
        }
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.substring(7).trim();
        }
        return null;
    }

    private boolean hostAllowed(String host, int port) {
        String name;
        String portPart;
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            if (end < 0) {
                return false;
            }
            name = host.substring(0, end + 1);
            portPart = host.substring(end + 1);
        } else {
            int colon = host.lastIndexOf(':');
            name = colon < 0 ? host : host.substring(0, colon);
            portPart = colon < 0 ? "" : host.substring(colon);
        }
        String expectedPort = port == 80 ? "" : ":" + port;
        if (!(portPart.equals(expectedPort) || port == 80 && portPart.equals(":80"))) {
            return false;
        }
        if (wildcard) {
            return !name.isEmpty(); // bound to every address: any name reaches it (docs/security.md says so)
        }
        if (name.equals(boundHost) || name.equals("[" + boundHost + "]")) {
            return true;
        }
        return isLoopback(boundHost) && LOOPBACK_NAMES.contains(name);
    }

    private static boolean isLoopback(String host) {
        return LOOPBACK_NAMES.contains(host) || host.startsWith("127.");
    }

    private String expectedHosts(int port) {
        if (wildcard) {
            return "any name with port " + port;
        }
        return isLoopback(boundHost) ? "localhost:" + port + ", 127.0.0.1:" + port + " or [::1]:" + port
                : boundHost + ":" + port;
    }

    private static String clip(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replaceAll("[\\p{Cntrl}]", "?");
        return t.length() > 80 ? t.substring(0, 77) + "..." : t;
    }
}
