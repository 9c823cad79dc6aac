package io.assay.framework.io;

import java.util.Locale;

/** The two things every report page needs: escaping text into HTML and printing a number compactly. */
public final class Html {

    private Html() {
    }

    /** Text as HTML (element content or a double-quoted attribute). */
    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** A value for a table cell: doubles with 4 significant digits, null as empty. */
    public static String cell(Object v) {
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, "%.4g", d);
        }
        return v == null ? "" : v.toString();
    }
}
