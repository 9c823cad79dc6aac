package io.assay.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version of this SDK contract. Plugins declare the range they accept in {@code plugin.requires}
 * (e.g. {@code >=1.0.0 & <2.0.0}); the host refuses a plugin whose range does not contain this version.
 */
public final class SdkVersion {

    /** The SDK version, {@code MAJOR.MINOR.PATCH}. */
    public static final String VERSION = load();

    private SdkVersion() {
    }

    private static String load() {
        try (InputStream in = SdkVersion.class.getResourceAsStream("sdk-version.properties")) {
            if (in == null) {
                throw new IllegalStateException("sdk-version.properties is missing from the SDK jar");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("sdk.version").trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
