package io.assay.framework.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {

    @Test
    void hashesEveryFileRemembersDigestsAndNoticesChanges(@TempDir Path dir) throws Exception {
        Path model = Files.createDirectories(dir.resolve("m/unet"));
        Files.writeString(model.resolve("model.onnx"), "abc");
        Files.writeString(dir.resolve("m/model_index.json"), "{}");
        Files.writeString(dir.resolve("m/.hidden"), "x");
        Path cache = dir.resolve("cache/sha256.json");
        Map<String, String> first = ModelFiles.sha256(dir.resolve("m"), cache);
        assertThat(first).containsOnlyKeys("model_index.json", "unet/model.onnx");
        // SHA-256("abc"), the FIPS 180-2 test vector.
        assertThat(first.get("unet/model.onnx"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(cache).isRegularFile();
        // A cached digest is used while size and time are unchanged …
        String cached = Files.readString(cache).replace("ba7816bf", "00000000");
        Files.writeString(cache, cached);
        assertThat(ModelFiles.sha256(dir.resolve("m"), cache).get("unet/model.onnx")).startsWith("00000000");
        // … and a changed file is hashed again.
        Files.writeString(model.resolve("model.onnx"), "abcd");
        Files.setLastModifiedTime(model.resolve("model.onnx"), FileTime.fromMillis(1_000_000_000_000L));
        assertThat(ModelFiles.sha256(dir.resolve("m"), cache).get("unet/model.onnx"))
                .isEqualTo("88d4266fd4e6338d13b845fcf289579d209c897823b9217da3e161936f031589");
    }
}
