package io.assay.lib.websources;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.jsoup.parser.Parser;

/**
 * Reads the link lists of WAT envelopes (Common Crawl's metadata extracted from WARC responses). WAT files are an
 * order of magnitude smaller than the WARCs and already list every {@code <img>} with its alt text, which makes them
 * the cheap way to survey a crawl; they carry no image bytes.
 */
final class WatPages {

    private WatPages() {
    }

    /**
     * Parses one envelope.
     *
     * @param fallbackTarget the WARC-Target-URI of the metadata record, used if the envelope lacks its own
     * @return the page, or {@code null} if the envelope does not describe an HTML page (request, warcinfo …)
     * @throws IOException if the JSON is malformed
     */
    static Page parse(byte[] json, String fallbackTarget, boolean withLinks) throws IOException {
        JsonNode root = DatasetJson.MAPPER.readTree(json);
        if (root == null || !root.isObject()) {
            throw new IOException("not a JSON object");
        }
        JsonNode env = root.path("Envelope");
        JsonNode html = env.path("Payload-Metadata").path("HTTP-Response-Metadata").path("HTML-Metadata");
        if (!html.isObject()) {
            return null;
        }
        String target = env.path("WARC-Header-Metadata").path("WARC-Target-URI").asText(null);
        URI pageUrl = Urls.absolute(target != null ? target : fallbackTarget);
        URI base = pageUrl;
        JsonNode baseNode = html.path("Head").path("Base");
        if (baseNode.isTextual()) {
            URI b = Urls.resolve(pageUrl, baseNode.asText());
            if (b != null) {
                base = b;
            }
        }
        List<Page.Image> images = new ArrayList<>();
        List<String> links = new ArrayList<>();
        for (JsonNode link : html.path("Links")) {
            String path = link.path("path").asText("");
            String url = link.path("url").asText(null);
            if (path.equals("IMG@/src")) {
                URI u = Urls.resolve(base, url);
                if (u != null) {
                    // The WAT generator copies attribute values raw, so entities are decoded here as for HTML.
                    String alt = Parser.unescapeEntities(link.path("alt").asText(""), true).strip();
                    images.add(new Page.Image(u, alt, null, null));
                }
            } else if (withLinks && path.equals("A@/href")) {
                URI u = Urls.resolve(base, url);
                if (u != null) {
                    links.add(Urls.key(u));
                }
            }
        }
        return new Page(pageUrl, null, images, links);
    }
}
