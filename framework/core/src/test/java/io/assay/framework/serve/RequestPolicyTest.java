package io.assay.framework.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.assay.framework.host.ComponentInfo;
import io.assay.framework.settings.RunSettings;
import io.assay.sdk.Setting;
import io.assay.sdk.StageException;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.LatentSampling;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.Scheduler;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestPolicyTest {

    record ReplayLike(@Setting(doc = "file") Path initial, @Setting(doc = "files") List<Path> steps,
            @Setting(doc = "a number", defaultValue = "1") double gain) {
    }

    record Plain(@Setting(doc = "scale", defaultValue = "7.5") double scale,
            @Setting(doc = "label", defaultValue = "\"x\"") String label) {
    }

    static ComponentInfo info(Class<? extends io.assay.sdk.Stage> stage, String name, Class<? extends Record> s) {
        return new ComponentInfo(stage, name, List.of(), "", s, null, "p", "1.0.0");
    }

    final RequestPolicy policy = new RequestPolicy(stage -> stage == NoiseSource.class
            ? List.of(info(NoiseSource.class, "plain-noise", Plain.class), info(NoiseSource.class, "replay",
                    ReplayLike.class))
            : stage == Guidance.class ? List.of(info(Guidance.class, "cfg", Plain.class))
            : stage == Scheduler.class ? List.of(info(Scheduler.class, "euler", Plain.class)) : List.of(),
            RequestPolicy.Limits.DEFAULTS);

    static Map<String, Object> one(String k, Object v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(k, v);
        return m;
    }

    @ParameterizedTest
    @CsvSource({
        "noise.initial, a file setting",
        "noise.steps, a file setting",
        "run.init-image, not allowed",
        "model.dir, not allowed",
        "output.dir, not allowed",
        "onnx.intra-threads, not allowed",
        "run.max-pixels, not allowed",
        "noise.nope, not a setting of any installed noise component",
        "run, not allowed",
        "Run.steps, not allowed",
        "noise.initial.deeper, not allowed",
        "../run.steps, not allowed"})
    void keysARequestMayNotSetAreRefusedNamingThem(String key, String why) {
        assertThatThrownBy(() -> policy.overrides(one(key, "/etc/passwd")))
                .isInstanceOf(StageException.class)
                .hasMessageContaining("'" + key + "'")
                .hasMessageContaining(why.replace("a file setting", "file setting"));
    }

    @Test
    void aPathSettingIsRefusedByItsTypeWhateverTheValueSays() {
        assertThatThrownBy(() -> policy.overrides(one("noise.initial", "relative.npy")))
                .hasMessageContaining("it is a file setting (path of noise 'replay')");
        assertThatThrownBy(() -> policy.overrides(one("noise.steps", List.of("a.npy"))))
                .hasMessageContaining("list of path");
    }

    @Test
    void allowedKeysBecomeHoconOverrides() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run.steps", 12);
        m.put("guidance.scale", 3.5);
        m.put("noise.name", "replay");
        m.put("noise.gain", 2);
        m.put("scheduler.label", "a \"quoted\" one");
        m.put("run.prompt", "x");
        assertThat(policy.overrides(m)).containsExactly("run.steps=12", "guidance.scale=3.5", "noise.name=\"replay\"",
                "noise.gain=2", "scheduler.label=\"a \\\"quoted\\\" one\"", "run.prompt=\"x\"");
    }

    @Test
    void bigNumbersPassAsWrittenForTheBinderToRefuse() {
        assertThat(policy.overrides(one("run.seed", new java.math.BigInteger("9223372036854775808"))))
                .containsExactly("run.seed=9223372036854775808");
        assertThat(policy.overrides(one("guidance.scale", List.of(1, 2.5)))).containsExactly("guidance.scale=[1, 2.5]");
        assertThatThrownBy(() -> policy.overrides(one("guidance.scale", Double.NaN))).hasMessageContaining("finite");
    }

    @Test
    void valuesMustBeScalarsOrListsOfThem() {
        assertThatThrownBy(() -> policy.overrides(one("guidance.scale", Map.of("a", 1))))
                .hasMessageContaining("'guidance.scale' must be a string, number, boolean or a list of those");
        assertThatThrownBy(() -> policy.overrides(one("guidance.scale", List.of(Map.of()))))
                .hasMessageContaining("'guidance.scale'");
    }

    static RunSettings run(int steps, Integer w, Integer h, int batch) {
        return new RunSettings("", "", 0, steps, w, h, batch, null, 0.8, LatentSampling.MEAN, 67108864L, 16777216L);
    }

    @Test
    void limitsApplyToTheMergedRunNamingTheSetting() {
        policy.checkRun(run(500, 2048, 2048, 2));
        policy.checkRun(run(20, null, null, 8));
        assertThatThrownBy(() -> policy.checkRun(run(501, null, null, 1))).hasMessageStartingWith("run.steps")
                .hasMessageContaining("[1, 500], found 501");
        assertThatThrownBy(() -> policy.checkRun(run(20, null, null, 9))).hasMessageStartingWith("run.batch");
        assertThatThrownBy(() -> policy.checkRun(run(20, 2056, 64, 1))).hasMessageStartingWith("run.width");
        assertThatThrownBy(() -> policy.checkRun(run(20, 64, 100, 1))).hasMessageStartingWith("run.height")
                .hasMessageContaining("multiples of 8");
        assertThatThrownBy(() -> policy.checkRun(run(20, 2048, 2048, 3))).hasMessageContaining(
                "= 12582912 pixels is over this server's budget of 8388608 (--max-pixels)");
        assertThatThrownBy(() -> policy.checkSize(1024, 1024, 9, 20)).hasMessageStartingWith("run.batch");
        assertThatThrownBy(() -> policy.checkFields(0, null, null, null)).hasMessageStartingWith("run.steps");
        policy.checkFields(null, null, null, null);
    }

    @Test
    void limitsAreTheServersOwn() {
        RequestPolicy tight = new RequestPolicy(s -> List.of(), new RequestPolicy.Limits(10, 1, 64, 4096));
        tight.checkSize(64, 64, 1, 10);
        assertThatThrownBy(() -> tight.checkSize(64, 64, 1, 11)).hasMessageContaining("[1, 10]");
        assertThatThrownBy(() -> tight.checkSize(72, 64, 1, 1)).hasMessageContaining("[8, 64]");
        assertThatThrownBy(() -> tight.checkSize(64, 64, 2, 1)).hasMessageContaining("[1, 1]");
    }
}
