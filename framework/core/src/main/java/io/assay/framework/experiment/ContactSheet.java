package io.assay.framework.experiment;

import io.assay.framework.io.PngFiles;
import io.assay.sdk.tensor.RgbImage;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** A labelled grid of images: column labels on top, row labels on the left, a title above. */
public final class ContactSheet {

    private ContactSheet() {
    }

    /**
     * Draws the sheet.
     *
     * @param title the line above the grid
     * @param columns column labels
     * @param rows row labels
     * @param images row-major, {@code rows × columns}; null cells stay blank
     * @param cell the side of each cell in pixels (images are scaled with nearest neighbour)
     */
    public static RgbImage draw(String title, List<String> columns, List<String> rows, List<RgbImage> images,
            int cell) {
        int left = 140;
        int top = 56;
        int gap = 6;
        int w = left + columns.size() * (cell + gap);
        int h = top + rows.size() * (cell + gap);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, 8, 18);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int c = 0; c < columns.size(); c++) {
                g.drawString(columns.get(c), left + c * (cell + gap) + 4, top - 8);
            }
            for (int r = 0; r < rows.size(); r++) {
                g.drawString(rows.get(r), 8, top + r * (cell + gap) + cell / 2);
                for (int c = 0; c < columns.size(); c++) {
                    RgbImage img = images.get(r * columns.size() + c);
                    if (img != null) {
                        g.drawImage(PngFiles.toBufferedImage(img), left + c * (cell + gap), top + r * (cell + gap),
                                cell, cell, null);
                    }
                }
            }
        } finally {
            g.dispose();
        }
        return PngFiles.fromBufferedImage(out);
    }
}
