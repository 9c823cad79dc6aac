package io.assay.framework.io;

import io.assay.sdk.tensor.RgbImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.w3c.dom.NodeList;

/**
 * PNG encoding with text chunks ({@code iTXt}, UTF-8): the resolved config and plugin versions under {@code assay},
 * and an AUTOMATIC1111-style {@code parameters} line for tools that read that.
 */
public final class PngFiles {

    private static final String FORMAT = "javax_imageio_png_1.0";

    private PngFiles() {
    }

    /** Converts to an AWT image (TYPE_INT_RGB). */
    public static BufferedImage toBufferedImage(RgbImage img) {
        BufferedImage bi = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
        int[] row = new int[img.width()];
        byte[] rgb = img.rgb();
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int i = (y * img.width() + x) * 3;
                row[x] = (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff);
            }
            bi.setRGB(0, y, img.width(), 1, row, 0, img.width());
        }
        return bi;
    }

    /** Converts an AWT image to 8-bit RGB. */
    public static RgbImage fromBufferedImage(BufferedImage bi) {
        int w = bi.getWidth();
        int h = bi.getHeight();
        byte[] rgb = new byte[w * h * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            bi.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                int i = (y * w + x) * 3;
                rgb[i] = (byte) (p >> 16);
                rgb[i + 1] = (byte) (p >> 8);
                rgb[i + 2] = (byte) p;
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** Encodes a PNG with the given text chunks (keyword → UTF-8 text). */
    public static byte[] encode(RgbImage img, Map<String, String> text) throws IOException {
        BufferedImage bi = toBufferedImage(img);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(bi), param);
            IIOMetadataNode root = new IIOMetadataNode(FORMAT);
            IIOMetadataNode itxt = new IIOMetadataNode("iTXt");
            for (Map.Entry<String, String> e : text.entrySet()) {
                IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                entry.setAttribute("keyword", e.getKey());
                entry.setAttribute("compressionFlag", "FALSE");
                entry.setAttribute("compressionMethod", "0");
                entry.setAttribute("languageTag", "");
                entry.setAttribute("translatedKeyword", "");
                entry.setAttribute("text", e.getValue());
                itxt.appendChild(entry);
            }
            root.appendChild(itxt);
            meta.mergeTree(FORMAT, root);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            // In memory: ImageIO.createImageOutputStream would buffer through a temporary file in java.io.tmpdir
            // (its default disk cache), so a full /tmp failed every image with "I/O error writing PNG file!".
            try (ImageOutputStream out = new javax.imageio.stream.MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(bi, null, meta), param);
            }
            return bytes.toByteArray();
        } finally {
            writer.dispose();
        }
    }

    /** The image as a {@code data:image/png;base64,…} URI (for self-contained pages). */
    public static String dataUri(RgbImage img) throws IOException {
        return "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(encode(img, Map.of()));
    }

    /** Writes a PNG with text chunks atomically. */
    public static void write(Path file, RgbImage img, Map<String, String> text) throws IOException {
        AtomicFiles.write(file, encode(img, text));
    }

    /** Reads a PNG's pixels. */
    public static RgbImage read(Path file) throws IOException {
        BufferedImage bi = ImageIO.read(file.toFile());
        if (bi == null) {
            throw new IOException("'" + file + "' is not an image ImageIO can read");
        }
        return fromBufferedImage(bi);
    }

    /** Reads the text chunks (tEXt, iTXt, zTXt) of a PNG. */
    public static Map<String, String> readText(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
            try {
                reader.setInput(iis);
                IIOMetadata meta = reader.getImageMetadata(0);
                IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(FORMAT);
                for (String kind : new String[] {"tEXtEntry", "iTXtEntry", "zTXtEntry"}) {
                    NodeList nodes = root.getElementsByTagName(kind);
                    for (int i = 0; i < nodes.getLength(); i++) {
                        IIOMetadataNode n = (IIOMetadataNode) nodes.item(i);
                        String value = n.hasAttribute("text") ? n.getAttribute("text") : n.getAttribute("value");
                        out.put(n.getAttribute("keyword"), value);
                    }
                }
            } finally {
                reader.dispose();
            }
        }
        return out;
    }
}
