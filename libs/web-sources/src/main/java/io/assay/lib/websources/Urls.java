package io.assay.lib.websources;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * URL handling for links found in the wild. HTML attributes routinely hold URLs that {@link URI} rejects (spaces,
 * non-ASCII, stray {@code |}), so references are percent-encoded before parsing; and two spellings of the same
 * resource must meet in the index (an {@code <img src>} and the crawler's {@code WARC-Target-URI}), hence {@link #key}.
 */
final class Urls {

    private Urls() {
    }

    /** Parses a possibly sloppy absolute or relative reference; {@code null} if hopeless. */
    static URI parse(String ref) {
        if (ref == null) {
            return null;
        }
        String s = ref.strip();
        if (s.isEmpty()) {
            return null;
        }
        try {
            return new URI(s);
        } catch (URISyntaxException e) {
            try {
                return new URI(encodeIllegal(s));
            } catch (URISyntaxException e2) {
                return null;
            }
        }
    }

    /**
     * Resolves a reference against a base and drops the fragment (it is never sent to the server, so it names the
     * same resource). Only http(s) results are kept: {@code data:}, {@code javascript:} and {@code mailto:} are not
     * images or pages on the web.
     */
    static URI resolve(URI base, String ref) {
        URI r = parse(ref);
        if (r == null) {
            return null;
        }
        URI abs;
        if (r.isAbsolute()) {
            abs = r;
        } else if (base == null || !base.isAbsolute() || base.isOpaque()) {
            return null;
        } else {
            URI b = base;
            if (b.getRawPath() == null || b.getRawPath().isEmpty()) {
                // URI.resolve("http://a.com", "x") yields "http://a.comx"; a server root has path "/".
                b = withPath(b, "/");
            }
            try {
                abs = b.resolve(r);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        String scheme = abs.getScheme();
        if (scheme == null || abs.isOpaque() || abs.getRawAuthority() == null) {
            return null;
        }
        String sl = scheme.toLowerCase(Locale.ROOT);
        if (!sl.equals("http") && !sl.equals("https")) {
            return null;
        }
        return withoutFragment(abs.normalize());
    }

    /** An absolute URL string as a URI (crawler target URIs), fragment dropped; {@code null} if not http(s). */
    static URI absolute(String url) {
        return resolve(null, url);
    }

    /**
     * The comparison key of an absolute URL: scheme and host lower-cased, empty path as "/", no fragment. Used only
     * for matching, never shown.
     */
    static String key(URI u) {
        StringBuilder sb = new StringBuilder();
        sb.append(u.getScheme().toLowerCase(Locale.ROOT)).append("://");
        sb.append(u.getRawAuthority().toLowerCase(Locale.ROOT));
        String path = u.getRawPath();
        sb.append(path == null || path.isEmpty() ? "/" : path);
        if (u.getRawQuery() != null) {
            sb.append('?').append(u.getRawQuery());
        }
        return sb.toString();
    }

    private static URI withoutFragment(URI u) {
        if (u.getRawFragment() == null) {
            return u;
        }
        String s = u.toString();
        return URI.create(s.substring(0, s.indexOf('#')));
    }

    private static URI withPath(URI u, String path) {
        String s = u.getScheme() + "://" + u.getRawAuthority() + path
                + (u.getRawQuery() != null ? "?" + u.getRawQuery() : "")
                + (u.getRawFragment() != null ? "#" + u.getRawFragment() : "");
        return URI.create(s);
    }

    private static boolean isHex(String s, int i) {
        return i < s.length() && Character.digit(s.charAt(i), 16) >= 0;
    }

    /** Percent-encodes (as UTF-8) every character a URI may not contain literally; keeps existing escapes. */
    private static String encodeIllegal(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        boolean seenFragment = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~:/?[]@!$&'()*+,;=".indexOf(c) >= 0 || (c == '#' && !seenFragment)
                    || (c == '%' && isHex(s, i + 1) && isHex(s, i + 2));
            if (c == '#') {
                seenFragment = true;
            }
            if (legal) {
                sb.append(c);
            } else {
                int cp = s.codePointAt(i);
                if (Character.charCount(cp) == 2) {
                    i++;
                }
                for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                    sb.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                            .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
                }
            }
        }
        return sb.toString();
    }
}
