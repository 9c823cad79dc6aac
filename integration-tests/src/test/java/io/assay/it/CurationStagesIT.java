package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Curation's SDK 1.1 extension points in {@code assay curate}: the record source and the dataset writer chosen by
 * component name from the curation-io plugin ({@code curation.source { name = webdataset, paths = [...] }},
 * {@code curation.writer { name = … }}), the built-in ones remaining the defaults; a misspelt name is refused at its
 * file:line with a suggestion.
 */
class CurationStagesIT {

    @TempDir
    static Path tmp;

    static final String FILTERS = """
              filters = [
                { name = junk-caption }
                { name = min-size, min-width = 32, min-height = 32 }
              ]
            """;

    static Path conf(String name, String body) throws Exception {
        return Files.writeString(tmp.resolve(name + ".conf"), "curation {\n" + body + FILTERS + "}\n");
    }

    /** No filter here needs a model: an empty model.dir keeps the runtime from building the embedded world. */
    static String noModel() throws Exception {
        return "model.dir=\"" + Files.createDirectories(tmp.resolve("no-model")) + "\"";
    }

    static JsonNode curate(Path conf, Path out) throws Exception {
        Dist.cli("curate", conf.toString(), "--out", out.toString(), "--set", noModel()).requireOk();
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }

    static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void sourceAndWriterComeFromComponentsByName() throws Exception {
        String procedural = "  source { type = procedural, records = 300 }\n";
        JsonNode builtIn = curate(conf("built-in", procedural + "  format = webdataset\n  shard-size = 50\n"),
                tmp.resolve("built-in"));
        JsonNode component = curate(conf("component", procedural
                + "  writer { name = webdataset, shard-size = 50 }\n"), tmp.resolve("component"));

        long kept = builtIn.get("kept").asLong();
        System.out.printf("curation stages: procedural 300 → kept %d (built-in writer) / %d (webdataset component)%n",
                kept, component.get("kept").asLong());
        assertThat(builtIn.get("read").asLong()).isEqualTo(300);
        assertThat(kept).isBetween(1L, 299L);
        assertThat(builtIn.get("format").asText()).isEqualTo("webdataset");
        assertThat(component.get("format").asText()).startsWith("webdataset (DatasetWriter, plugin curation-io")
                .contains("read back by RecordSource 'webdataset'");
        // The component writes the same shards, byte for byte, as the built-in writer it replaces.
        Path a = tmp.resolve("built-in/kept");
        Path b = tmp.resolve("component/kept");
        assertThat(files(b)).isEqualTo(files(a)).hasSize((int) ((kept + 49) / 50));
        for (String f : files(a)) {
            assertThat(Files.readAllBytes(b.resolve(f))).as(f).isEqualTo(Files.readAllBytes(a.resolve(f)));
        }

        // The kept shards read back by the webdataset RecordSource, written by the directory DatasetWriter.
        JsonNode again = curate(conf("again", "  source { name = webdataset, paths = [\"" + a + "\"] }\n"
                + "  writer { name = directory }\n"), tmp.resolve("again"));
        assertThat(again.get("read").asLong()).as("every kept record read back").isEqualTo(kept);
        assertThat(again.get("kept").asLong()).as("the same filters keep them all again").isEqualTo(kept);
        assertThat(again.get("source").asText()).contains("RecordSource 'webdataset'", "plugin curation-io");
        assertThat(again.get("format").asText()).startsWith("directory (DatasetWriter");
        assertThat(Files.readAllLines(tmp.resolve("again/kept/manifest.jsonl"))).hasSize((int) kept);
    }

    @Test
    void aMisspeltSourceIsRefusedAtItsLineWithASuggestion() throws Exception {
        Path conf = conf("typo", "  source { name = webdatset, paths = [\"x\"] }\n");
        Dist.Result r = Dist.cli("curate", conf.toString(), "--out", tmp.resolve("typo").toString(), "--set",
                noModel());
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("typo.conf:2", "curation.source.name", "no RecordSource named 'webdatset'",
                "did you mean 'webdataset'?", "procedural", "warc", "manifest");
    }
}
