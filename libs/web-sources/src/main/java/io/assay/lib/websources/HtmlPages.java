package io.assay.lib.websources;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Extracts images and links from HTML with jsoup. Real-world HTML is too broken for anything but a browser-grade
 * parser: unclosed tags, attributes without quotes, entities without semicolons ({@code caf&eacute}) are the norm in
 * crawls, and alt texts are worthless if their entities are left encoded.
 */
final class HtmlPages {

    private HtmlPages() {
    }

    /**
     * Parses one page.
     *
     * @param charset the charset the server declared, or {@code null} to let jsoup sniff (BOM, {@code <meta charset>})
     * @param withLinks whether to collect {@code <a href>} targets (only the index pass needs them)
     */
    static Page parse(byte[] html, String charset, URI pageUrl, boolean withLinks) throws IOException {
        Document doc = Jsoup.parse(new ByteArrayInputStream(html), usable(charset),
                pageUrl == null ? "" : pageUrl.toString());
        URI base = pageUrl;
        Element baseTag = doc.selectFirst("base[href]");
        if (baseTag != null) {
            URI b = Urls.resolve(pageUrl, baseTag.attr("href"));
            if (b != null) {
                base = b;
            }
        }
        String lang = null;
        Element root = doc.selectFirst("html");
        if (root != null && !root.attr("lang").isBlank()) {
            lang = root.attr("lang").strip();
        }
        List<Page.Image> images = new ArrayList<>();
        for (Element img : doc.select("img[src]")) {
            URI u = Urls.resolve(base, img.attr("src"));
            if (u != null) {
                images.add(new Page.Image(u, img.attr("alt").strip(), integer(img.attr("width")),
                        integer(img.attr("height"))));
            }
        }
        List<String> links = new ArrayList<>();
        if (withLinks) {
            for (Element a : doc.select("a[href]")) {
                URI u = Urls.resolve(base, a.attr("href"));
                if (u != null) {
                    links.add(Urls.key(u));
                }
            }
        }
        return new Page(pageUrl, lang, images, links);
    }

    /** A declared charset jsoup can use, or {@code null} (a typo in a header must not lose the page). */
    private static String usable(String charset) {
        if (charset == null || charset.isBlank()) {
            return null;
        }
        try {
            return Charset.isSupported(charset.strip()) ? charset.strip() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static Integer integer(String s) {
        String t = s == null ? "" : s.strip();
        if (t.isEmpty() || t.length() > 9 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        return Integer.valueOf(t);
    }
}
