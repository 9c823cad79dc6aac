package io.assay.framework.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A variants axis keeps the order it is written in, over several lines or on one. */
class ExperimentTest {

    @Test
    void variantsKeepTheirWrittenOrder(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("e.conf");
        Files.writeString(f, String.join("\n", "experiment {", "  prompts = [x]", "  axes = [",
                "    { name = vae, variants {", "        zeta {}", "        alpha { autoencoder.tile-size = 4 }",
                "        mid { a = 1 }", "    } }",
                "    { name = one-line, variants { whole {}, tiled { t = true }, base { b = 2 } } }", "  ]", "}", ""));
        Experiment e = Experiment.parse(ConfigFactory.parseFile(f.toFile()), f.toString());
        assertThat(e.axes().get(0).values()).containsExactly("zeta", "alpha", "mid");
        assertThat(e.axes().get(1).values()).containsExactly("whole", "tiled", "base");
        assertThat(e.axes().get(1).overrides().get(1)).containsExactly("t=true");
        assertThat(e.cells()).hasSize(9);
        assertThat(e.cells().get(1).valueIndex()).containsExactly(1, 0);
    }
}
