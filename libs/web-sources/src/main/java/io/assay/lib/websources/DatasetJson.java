package io.assay.lib.websources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.assay.sdk.curation.WebRecord;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The per-record JSON shared by the webdataset {@code .json} files and the lines of {@code manifest.jsonl}, kept in
 * one place so that what the writers write is exactly what the readers read.
 *
 * <p>Layout: {@code {"id", "image"?, "caption", "url"?, "page"?, "inboundLinks", "metadata": {…}, <extras>…}}. Extras
 * sit at the top level like img2dataset's own fields ({@code width}, {@code status}, {@code similarity}…), so tools
 * built for img2dataset output see the scores; readers fold top-level scalars they do not know into the metadata,
 * which is also how img2dataset's fields arrive there.
 */
final class DatasetJson {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Top-level names with a fixed meaning; extras may not use them. */
    static final Set<String> RESERVED = Set.of("id", "image", "caption", "url", "page", "inboundLinks", "metadata");

    private DatasetJson() {
    }

    /** The JSON for one record; {@code imagePath} only for the manifest form. */
    static ObjectNode toJson(WebRecord r, Map<String, Object> extra, String imagePath) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("id", r.id());
        if (imagePath != null) {
            o.put("image", imagePath);
        }
        o.put("caption", r.caption());
        if (r.imageUrl() != null) {
            o.put("url", r.imageUrl());
        }
        if (r.pageUrl() != null) {
            o.put("page", r.pageUrl());
        }
        o.put("inboundLinks", r.inboundLinks());
        ObjectNode m = o.putObject("metadata");
        new TreeMap<>(r.metadata()).forEach(m::put);
        if (extra != null) {
            for (Map.Entry<String, Object> e : extra.entrySet()) {
                if (RESERVED.contains(e.getKey())) {
                    throw new IllegalArgumentException("extra field '" + e.getKey()
                            + "' would overwrite the record's own field of that name");
                }
                o.set(e.getKey(), MAPPER.valueToTree(e.getValue()));
            }
        }
        return o;
    }

    /** What a record JSON says; absent fields are {@code null} ({@code inboundLinks}: -1). */
    record Fields(String id, String image, String caption, String url, String page, long inboundLinks,
            Map<String, String> metadata) {
    }

    /** Reads the fields of a JSON object, tolerating the looser img2dataset files. */
    static Fields fromJson(JsonNode o) {
        Map<String, String> meta = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = o.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!RESERVED.contains(e.getKey())) {
                putText(meta, e.getKey(), e.getValue());
            }
        }
        JsonNode nested = o.get("metadata");
        if (nested != null && nested.isObject()) {
            nested.fields().forEachRemaining(e -> putText(meta, e.getKey(), e.getValue()));
        }
        JsonNode links = o.get("inboundLinks");
        long inbound = links != null && links.isIntegralNumber() ? links.asLong() : -1L;
        return new Fields(text(o, "id"), text(o, "image"), text(o, "caption"), text(o, "url"), text(o, "page"),
                inbound, meta);
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    private static void putText(Map<String, String> meta, String key, JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return;
        }
        meta.put(key, v.isValueNode() ? v.asText() : v.toString());
    }
}
