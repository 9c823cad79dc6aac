package io.assay.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One SDK version number: {@link SdkVersion#VERSION} (what the host checks {@code plugin.requires} against and
 * {@code assay plugins} / {@code assay --version} print) is the SDK modules' Maven version, the root pom's
 * {@code assay.sdk.version} (what the framework and plugins compile against), the plugin template's, and the version
 * docs/plugin-authoring.md names — never the project's own version.
 */
class SdkVersionConsistencyTest {

    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).resolve("../..").normalize();

    private static String first(Path file, String regex) throws IOException {
        Matcher m = Pattern.compile(regex).matcher(Files.readString(file, StandardCharsets.UTF_8));
        assertThat(m.find()).as("%s in %s", regex, file).isTrue();
        return m.group(1);
    }

    @Test
    void everyPlaceSaysTheSameSdkVersion() throws IOException {
        String v = SdkVersion.VERSION;
        assertThat(v).matches("\\d+\\.\\d+\\.\\d+");
        assertThat(first(ROOT.resolve("sdk/pom.xml"),
                "<artifactId>assay-sdk-parent</artifactId>[\\s\\S]*?<version>([^<]+)</version>")).isEqualTo(v);
        assertThat(first(ROOT.resolve("pom.xml"), "<assay.sdk.version>([^<]+)</assay.sdk.version>")).isEqualTo(v);
        assertThat(first(ROOT.resolve("templates/plugin/pom.xml"), "<assay.sdk.version>([^<]+)</assay.sdk.version>"))
                .isEqualTo(v);
        assertThat(first(ROOT.resolve("docs/plugin-authoring.md"), "io\\.assay:assay-sdk:([0-9.]+)")).isEqualTo(v);
        String project = first(ROOT.resolve("pom.xml"),
                "<artifactId>assay-parent</artifactId>\\s*<version>([^<]+)</version>");
        assertThat(project).as("the project's own version is another number").isNotEqualTo(v);
    }
}
