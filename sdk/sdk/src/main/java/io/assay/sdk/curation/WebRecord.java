package io.assay.sdk.curation;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One image/alt-text pair found on the web.
 *
 * @param id a stable identifier, unique within its source (e.g. WARC record id + index)
 * @param imageUrl the image's URL
 * @param pageUrl the page it was found on
 * @param caption the alt text (may be empty, never null)
 * @param image the encoded image bytes (PNG, JPEG …), or {@code null} when the source holds only the reference
 * @param inboundLinks links pointing at the page, or -1 if unknown
 * @param metadata anything else the source knows (e.g. {@code width}, {@code height}, {@code language}); copied
 */
public record WebRecord(String id, String imageUrl, String pageUrl, String caption, byte[] image, long inboundLinks,
        Map<String, String> metadata) {

    /** Validates and copies. */
    public WebRecord {
        requireNonNull(id, "id is null");
        requireNonNull(caption, "caption is null");
        metadata = Map.copyOf(metadata);
    }

    /** Whether the image bytes are present. */
    public boolean hasImage() {
        return image != null;
    }
}
