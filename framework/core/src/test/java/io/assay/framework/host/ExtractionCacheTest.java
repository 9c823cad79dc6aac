package io.assay.framework.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtractionCacheTest {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    @Test
    void unusedOldEntriesGoUsedAndRecentOnesStayAndUsedOnesAreMarked(@TempDir Path root) throws Exception {
        Path oldDir = Files.createDirectories(root.resolve("assay-plugin-x-0123456789abcdef"));
        Files.writeString(oldDir.resolve(".complete"), "");
        Path oldFact = Files.writeString(root.resolve("assay-plugin-x-0123456789abcdef.scan"), "");
        Path usedDir = Files.createDirectories(root.resolve("assay-plugin-y-fedcba9876543210"));
        Path usedFact = Files.writeString(root.resolve("assay-plugin-y-fedcba9876543210.components-1.1.0"), "=a");
        Path recent = Files.writeString(root.resolve("assay-plugin-z-1111222233334444.halt"), "");
        // An entry whose directory is old but whose fact was used recently stays whole.
        Path halfDir = Files.createDirectories(root.resolve("assay-plugin-w-5555666677778888"));
        Path halfFact = Files.writeString(root.resolve("assay-plugin-w-5555666677778888.scan"), "");
        Path crashed = Files.createDirectories(root.resolve(".extract-123"));
        Path freshTmp = Files.createDirectories(root.resolve(".extract-456"));
        Path unrelated = Files.writeString(root.resolve("README"), "not an entry");
        FileTime old = FileTime.from(NOW.minus(Duration.ofDays(40)));
        for (Path p : List.of(oldDir, oldFact, usedDir, usedFact, halfDir, crashed, unrelated)) {
            Files.setLastModifiedTime(p, old);
        }
        for (Path p : List.of(recent, halfFact, freshTmp)) {
            Files.setLastModifiedTime(p, FileTime.from(NOW.minus(Duration.ofHours(2))));
        }

        List<String> removed = ExtractionCache.collect(root, Set.of("assay-plugin-y-fedcba9876543210"),
                Duration.ofDays(30), NOW);

        assertThat(removed).containsExactlyInAnyOrder(".extract-123", "assay-plugin-x-0123456789abcdef",
                "assay-plugin-x-0123456789abcdef.scan");
        assertThat(oldDir).doesNotExist();
        assertThat(oldFact).doesNotExist();
        assertThat(crashed).doesNotExist();
        assertThat(List.of(usedDir, usedFact, recent, halfDir, halfFact, freshTmp, unrelated)).allMatch(Files::exists);
        // In use: marked as used now, so another host's collection keeps it for 30 days from here.
        assertThat(Files.getLastModifiedTime(usedDir).toInstant()).isEqualTo(NOW);
        assertThat(Files.getLastModifiedTime(usedFact).toInstant()).isEqualTo(NOW);
    }

    @Test
    void aMissingCacheIsNothingToCollect(@TempDir Path root) {
        assertThat(ExtractionCache.collect(root.resolve("none"), Set.of(), Duration.ofDays(30), NOW)).isEmpty();
    }
}
