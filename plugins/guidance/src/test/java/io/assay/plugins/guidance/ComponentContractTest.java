package io.assay.plugins.guidance;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.Component;
import io.assay.sdk.NoSettings;
import io.assay.sdk.Setting;
import io.assay.sdk.diffusion.Guidance;
import java.lang.reflect.RecordComponent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What is particular to this plugin's declarations. The generic rules (kebab-case names, descriptions,
 * {@code @Extension}, injectable constructors, documented settings whose defaults bind, the extension index) are the
 * test kit's contracts ({@link GuidanceContractTest}, {@link PluginContractsTest}).
 */
class ComponentContractTest {

    private static final List<Class<? extends Guidance>> CLASSES = List.of(NoGuidance.class,
            ClassifierFreeGuidance.class, RescaledClassifierFreeGuidance.class, IntervalClassifierFreeGuidance.class,
            AdaptiveProjectedGuidance.class, ComposableGuidance.class, PerpNegGuidance.class);

    @Test
    void theSevenComponents() {
        assertThat(CLASSES.stream().map(c -> c.getAnnotation(Component.class).name()))
                .containsExactly("none", "cfg", "cfg-rescale", "cfg-interval", "apg", "composable", "perp-neg");
    }

    /** Every setting of this plugin has a default, so an empty block is a complete configuration. */
    @Test
    void everySettingHasADefault() {
        for (Class<? extends Guidance> c : CLASSES) {
            Class<? extends Record> type = c.getAnnotation(Component.class).settings();
            if (type == NoSettings.class) {
                continue;
            }
            for (RecordComponent rc : type.getRecordComponents()) {
                assertThat(rc.getAnnotation(Setting.class).defaultValue()).as(type.getSimpleName() + "."
                        + rc.getName()).isNotEmpty();
            }
        }
    }
}
