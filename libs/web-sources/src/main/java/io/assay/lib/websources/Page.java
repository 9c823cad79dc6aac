package io.assay.lib.websources;

import java.net.URI;
import java.util.List;

/**
 * What the readers need from one web page, whichever form it came in (HTML in a WARC response, or the link list a
 * WAT envelope already extracted).
 *
 * @param url the page's own URL (normalized), or {@code null} if the crawler recorded an unusable one
 * @param language the {@code <html lang>} value, or {@code null}
 * @param images the page's images in document order
 * @param linkKeys {@link Urls#key comparison keys} of the pages its {@code <a href>} point at (empty unless asked for)
 */
record Page(URI url, String language, List<Image> images, List<String> linkKeys) {

    /**
     * One {@code <img>}.
     *
     * @param url the resolved image URL
     * @param alt the alt text, entities decoded ("" when absent)
     * @param width the width attribute when it is an integer, else {@code null}
     * @param height the height attribute when it is an integer, else {@code null}
     */
    record Image(URI url, String alt, Integer width, Integer height) {
    }
}
