package io.assay.framework.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.assay.sdk.Setting;
import io.assay.sdk.settings.ConfigErrorsException;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.settings.Names;
import io.assay.sdk.settings.SettingsBinder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineValidatorTest {

    enum Spacing { LEADING, TRAILING, LINSPACE }

    record Sched(@Setting(doc = "Steps.", defaultValue = "20", min = 1, max = 1000) int steps,
            @Setting(doc = "Spacing.", defaultValue = "leading") Spacing timestepSpacing,
            @Setting(doc = "Eta.") Double eta,
            @Setting(doc = "Model directory.") Path modelDir) {
    }

    record Guide(@Setting(doc = "Scale.", defaultValue = "7.5", min = 0, max = 30) double scale,
            @Setting(doc = "Start.", defaultValue = "0") double start,
            @Setting(doc = "Stop.", defaultValue = "1") double stop) {
        Guide {
            if (start > stop) {
                throw new IllegalArgumentException("start " + start + " must not exceed stop " + stop);
            }
        }
    }

    record Run(@Setting(doc = "Prompt.", defaultValue = "\"\"") String prompt,
            @Setting(doc = "Seed.", defaultValue = "0") long seed,
            @Setting(doc = "Providers.", defaultValue = "[cpu]") List<String> providers,
            @Setting(doc = "Init image.") Path initImage) {
    }

    static final PipelineValidator.Components INSTALLED = new PipelineValidator.Components() {
        @Override
        public Map<String, PipelineValidator.Installed> installed(String stage) {
            return switch (stage) {
                case "scheduler" -> Map.of(
                        "euler", new PipelineValidator.Installed("euler", Sched.class, "schedulers 0.1.0"),
                        "ddim", new PipelineValidator.Installed("ddim", Sched.class, "schedulers 0.1.0"),
                        "heun", new PipelineValidator.Installed("heun", Sched.class, "schedulers 0.1.0",
                                Set.of("timestep-spacing", "steps")));
                case "guidance" -> Map.of(
                        "cfg", new PipelineValidator.Installed("cfg", Guide.class, "guidance 0.1.0"),
                        "classifier-free", new PipelineValidator.Installed("cfg", Guide.class, "guidance 0.1.0"));
                default -> Map.of();
            };
        }

        @Override
        public String stageTypeName(String stage) {
            return stage.equals("scheduler") ? "Scheduler" : "Guidance";
        }
    };

    private final PipelineValidator validator = new PipelineValidator(Map.of("run", Run.class),
            List.of("scheduler", "guidance"));

    private Config load(Path dir, String text, String... sets) throws IOException {
        Path f = dir.resolve("p.conf");
        Files.writeString(f, text);
        return new ConfigLoader(ConfigFactory.empty()).load(f, List.of(sets), null);
    }

    @Test
    void bindsTypedSettingsWithDefaultsBoxedNullsAndResolvedPaths(@TempDir Path dir) throws IOException {
        Config c = load(dir, "model.dir = models/sd\nrun { prompt = \"a cat\", init-image = img/x.png }\n"
                + "scheduler { name = euler, timestep-spacing = LinSpace }\nguidance { name = cfg, scale = 12 }\n");
        ValidatedConfig v = new PipelineValidator(Map.of("run", Run.class, "model", Model.class),
                List.of("scheduler", "guidance")).validate(c, INSTALLED, null, "p.conf");
        Sched s = (Sched) v.stages().get("scheduler").settings();
        assertThat(s.steps()).isEqualTo(20);
        assertThat(s.timestepSpacing()).isEqualTo(Spacing.LINSPACE);
        assertThat(s.eta()).isNull();
        assertThat(s.modelDir()).isEqualTo(dir.resolve("models/sd").toAbsolutePath().normalize());
        Run r = v.section("run", Run.class);
        assertThat(r.prompt()).isEqualTo("a cat");
        assertThat(r.providers()).containsExactly("cpu");
        assertThat(r.initImage()).isEqualTo(dir.resolve("img/x.png").toAbsolutePath().normalize());
        assertThat(((Guide) v.stages().get("guidance").settings()).scale()).isEqualTo(12.0);
    }

    record Model(@Setting(doc = "Dir.") Path dir) {
    }

    @Test
    void setOverridesWinAndKeepTheirOrigin(@TempDir Path dir) throws IOException {
        Config c = load(dir, "guidance { name = cfg, scale = 3 }\nscheduler.name = euler\n", "guidance.scale=12",
                "run.prompt=a red circle, on blue");
        assertThat(c.getDouble("guidance.scale")).isEqualTo(12.0);
        assertThat(c.getValue("guidance.scale").origin().description()).contains("command line --set");
        assertThat(c.getString("run.prompt")).isEqualTo("a red circle, on blue");
    }

    @Test
    void everyProblemIsReportedOnceWithFileLineKeyFoundAndExpected(@TempDir Path dir) throws IOException {
        Config c = load(dir, String.join("\n",
                "run {",
                "  seed = \"many\"",
                "}",
                "scheduler {",
                "  name = euler",
                "  timestep-spacinng = leading",
                "  steps = 5000",
                "}",
                "guidance { name = cgf }",
                "sampler { x = 1 }",
                ""));
        assertThatThrownBy(() -> validator.validate(c, INSTALLED, null, "p.conf"))
                .isInstanceOf(ConfigErrorsException.class)
                .satisfies(e -> {
                    ConfigReport r = ((ConfigErrorsException) e).report();
                    assertThat(r.errors()).hasSize(5);
                    String msg = e.getMessage();
                    assertThat(msg).startsWith("Configuration errors in p.conf (5):");
                    assertThat(msg).contains("p.conf:2: run.seed: expected a whole number, found \"many\" (string)");
                    assertThat(msg).contains("p.conf:6: scheduler.timestep-spacinng: unknown key for component "
                            + "'euler'; did you mean 'timestep-spacing'?");
                    assertThat(msg).contains("p.conf:7: scheduler.steps: expected a number in [1, 1000], found 5000");
                    assertThat(msg).contains("p.conf:9: guidance.name: no Guidance named 'cgf'; did you mean 'cfg'?;"
                            + " installed: cfg (plugin guidance 0.1.0)");
                    assertThat(msg).contains("p.conf:10: sampler: unknown section");
                });
    }

    @Test
    void malformedHoconNamesFileAndLine(@TempDir Path dir) {
        assertThatThrownBy(() -> load(dir, "run {\n  prompt = \"x\"\n  seed = [1, 2\n}\n"))
                .isInstanceOf(ConfigErrorsException.class)
                .hasMessageContaining("p.conf:")
                .hasMessageContaining("malformed HOCON");
    }

    @Test
    void compactConstructorChecksAndAliasesAreReported(@TempDir Path dir) throws IOException {
        Config c = load(dir, "guidance { name = classifier-free, start = 0.8, stop = 0.2 }\nscheduler.name = ddim\n");
        assertThatThrownBy(() -> validator.validate(c, INSTALLED, null, "p.conf"))
                .hasMessageContaining("p.conf:1: guidance: start 0.8 must not exceed stop 0.2");
        Config ok = load(dir, "guidance { name = classifier-free }\nscheduler.name = ddim\n");
        ValidatedConfig v = validator.validate(ok, INSTALLED, null, "p.conf");
        assertThat(v.stages().get("guidance").canonicalName()).isEqualTo("cfg");
    }

    @Test
    void onlyTheRequestedStagesAreChecked(@TempDir Path dir) throws IOException {
        Config c = load(dir, "guidance { name = nope }\nscheduler.name = ddim\n");
        ValidatedConfig v = validator.validate(c, INSTALLED, Set.of("scheduler"), "p.conf");
        assertThat(v.stages()).containsOnlyKeys("scheduler");
    }

    private static PipelineValidator validator() {
        return new PipelineValidator(Map.of("run", Run.class, "model", Model.class), List.of("scheduler", "guidance"));
    }

    @Test
    void aKeyOfTheSharedRecordThatTheComponentDoesNotAcceptIsRefusedAtItsLine(@TempDir Path dir) throws IOException {
        Config c = load(dir, "model.dir = models/sd\nscheduler {\n  name = heun\n  eta = 0.5\n}\n");
        assertThatThrownBy(() -> validator().validate(c, INSTALLED, Set.of("scheduler"), "p.conf"))
                .isInstanceOf(ConfigErrorsException.class)
                .hasMessageContaining("p.conf:4: scheduler.eta: component 'heun' does not accept the setting 'eta' "
                        + "(its settings record Sched is shared with components that do); it accepts: steps, "
                        + "timestep-spacing")
                .hasMessageContaining("Configuration errors in p.conf (1)")
                .hasMessageNotContaining("model-dir");
        // The same key on a component that accepts every key of the record binds.
        Config ddim = load(dir, "model.dir = models/sd\nscheduler {\n  name = ddim\n  eta = 0.5\n}\n");
        Sched s = (Sched) validator().validate(ddim, INSTALLED, Set.of("scheduler"), "p.conf").stages()
                .get("scheduler").settings();
        assertThat(s.eta()).isEqualTo(0.5);
        assertThat(s.modelDir()).isEqualTo(dir.resolve("models/sd").toAbsolutePath().normalize());
        // A key the component does not accept is never filled from model.dir; the accepted ones bind as usual.
        Config heun = load(dir, "model.dir = models/sd\nscheduler { name = heun, steps = 7 }\n");
        Sched h = (Sched) validator().validate(heun, INSTALLED, Set.of("scheduler"), "p.conf").stages()
                .get("scheduler").settings();
        assertThat(h.modelDir()).isNull();
        assertThat(h.steps()).isEqualTo(7);
        assertThat(h.eta()).isNull();
    }

    @Test
    void suggestionsOnlyForCloseNames() {
        assertThat(Names.suggest("timestep-spacinng", List.of("timestep-spacing", "steps"))).isEqualTo("timestep-spacing");
        assertThat(Names.suggest("zzz", List.of("timestep-spacing", "steps"))).isNull();
        assertThat(Names.kebab("timestepSpacing")).isEqualTo("timestep-spacing");
    }
}
