package io.assay.sdk.settings;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.Component;
import io.assay.sdk.NoSettings;
import io.assay.sdk.Setting;
import io.assay.sdk.diffusion.Recommended;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the host checks when it loads a plugin: each broken declaration is named; good ones pass. */
class SettingsDeclarationTest {

    record Good(@Setting(doc = "Scale", defaultValue = "7.5", min = 0) double scale,
            @Setting(doc = "Mode", defaultValue = "a", oneOf = {"a", "b"}) String mode,
            @Setting(doc = "Steps", diffusersKey = "scheduler/scheduler_config.json:num_train_timesteps")
            Integer steps) {
    }

    record RequiresAKey(@Setting(doc = "Count") int count, @Setting(doc = "File") String file) {
        RequiresAKey {
            if (file == null) {
                throw new IllegalArgumentException("'file' is required");
            }
        }
    }

    record RefusesItsDefaultsWithAMessage(@Setting(doc = "File") String file) {
        RefusesItsDefaultsWithAMessage {
            if (file == null) {
                throw new IllegalArgumentException("'file' is required");
            }
        }
    }

    record NoDoc(@Setting(doc = " ", defaultValue = "1") int steps) {
    }

    record Unannotated(double weight) {
    }

    record WrongType(@Setting(doc = "A char", defaultValue = "a") char c) {
    }

    record BadDefault(@Setting(doc = "How many", defaultValue = "many") int count) {
    }

    record OutOfRangeDefault(@Setting(doc = "A fraction", defaultValue = "2", min = 0, max = 1) double fraction) {
    }

    record NotAChoice(@Setting(doc = "Mode", defaultValue = "c", oneOf = {"a", "b"}) String mode) {
    }

    record CamelKey(@Setting(doc = "A weight", defaultValue = "1", key = "fooBar") double weight) {
    }

    record BoundsOnAString(@Setting(doc = "Name", defaultValue = "x", min = 1) String name,
            @Setting(doc = "N", defaultValue = "1", oneOf = {"1"}) int n,
            @Setting(doc = "M", defaultValue = "1", min = 2, max = 1) int m) {
    }

    record BadDiffusersKey(@Setting(doc = "N", defaultValue = "1", diffusersKey = "unet config:x") int n) {
    }

    record ThrowsABug(@Setting(doc = "Maybe", defaultValue = "") Integer maybe) {
        ThrowsABug {
            if (maybe < 0) { // unboxes null: a NullPointerException the user cannot fix
                throw new IllegalArgumentException("negative");
            }
        }
    }

    @Test
    void goodDeclarationsPass() {
        assertThat(SettingsDeclaration.problems(Good.class)).isEmpty();
        assertThat(SettingsDeclaration.problems(NoSettings.class)).isEmpty();
        assertThat(SettingsDeclaration.problems(RequiresAKey.class)).as("a required key is not a defect").isEmpty();
        assertThat(SettingsDeclaration.problems(RefusesItsDefaultsWithAMessage.class))
                .as("the record's own refusal of unset keys is a message for the user").isEmpty();
    }

    @Test
    void eachBrokenDeclarationIsNamed() {
        assertThat(one(NoDoc.class)).contains("expected a one-line doc in @Setting of 'steps'");
        assertThat(one(Unannotated.class)).contains("expected component 'weight' to carry @Setting");
        assertThat(one(WrongType.class)).contains("expected 'c' to have a supported type").contains("but it is char");
        assertThat(one(BadDefault.class)).contains("the declared defaults do not bind")
                .contains("the default of BadDefault.count: count: expected a whole number, found \"many\"");
        assertThat(one(OutOfRangeDefault.class)).contains("expected a number in [0, 1], found 2");
        assertThat(one(NotAChoice.class)).contains("expected one of a, b, found \"c\"");
        assertThat(one(CamelKey.class)).contains("expected kebab-case keys").contains("'fooBar'");
        assertThat(SettingsDeclaration.problems(BoundsOnAString.class)).hasSize(3)
                .anySatisfy(p -> assertThat(p).contains("'name' is a String, so expected no min/max"))
                .anySatisfy(p -> assertThat(p).contains("'n' is a int, so expected no oneOf"))
                .anySatisfy(p -> assertThat(p).contains("expected min <= max for 'm'"));
        assertThat(one(BadDiffusersKey.class)).contains("diffusersKey of 'n'").contains("'unet config:x'");
        assertThat(one(ThrowsABug.class)).contains("invalid settings: java.lang.NullPointerException");
    }

    private static String one(Class<? extends Record> type) {
        List<String> p = SettingsDeclaration.problems(type);
        assertThat(p).as(type.getSimpleName()).hasSize(1);
        assertThat(p.get(0)).startsWith("settings record " + type.getName() + ": ");
        return p.get(0);
    }

    @Component(name = "lcm-like", description = "d", settings = BadDefault.class)
    @Recommended(steps = {8, 2}, reason = "r")
    static final class BrokenComponent {
    }

    @Component(name = "fine", description = "d", settings = Good.class)
    @Recommended(steps = {2, 8}, guidance = {1, 2}, reason = "LCM")
    static final class FineComponent {
    }

    @Test
    void aComponentsProblemsNameTheComponent() {
        assertThat(SettingsDeclaration.forComponent(FineComponent.class)).isEmpty();
        List<String> p = SettingsDeclaration.forComponent(BrokenComponent.class);
        assertThat(p).hasSize(2).allSatisfy(m -> assertThat(m).startsWith("component 'lcm-like' ("
                + BrokenComponent.class.getName() + "): "));
        assertThat(p.get(1)).contains("@Recommended").contains("[8, 2]");
        assertThat(SettingsDeclaration.forComponent(String.class)).containsExactly("java.lang.String: has no "
                + "@Component annotation");
    }
}
