package io.assay.plugins.schedulers;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.Component;
import io.assay.sdk.Setting;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The plugin's component declarations: names, settings record, constructors, and the settings' diffusers keys. */
class ComponentContractTest {

    private static final List<Class<? extends AbstractDiffusersScheduler>> CLASSES = List.of(DdimScheduler.class,
            PndmScheduler.class, LmsDiscreteScheduler.class, EulerDiscreteScheduler.class,
            EulerAncestralScheduler.class, HeunDiscreteScheduler.class, DpmSolverMultistepScheduler.class,
            DpmSolverMultistepKarrasScheduler.class, LcmScheduler.class);

    /**
     * What is particular to this plugin: the nine names, one shared settings record, and the constructor the
     * schedulers share. The generic declaration rules (kebab-case names, descriptions, {@code @Extension}, an
     * injectable constructor) are the test kit's StageContract ({@link SchedulerContractTest}).
     */
    @Test
    void theNineSchedulersShareOneSettingsRecordAndConstructor() {
        List<String> names = new ArrayList<>();
        for (Class<? extends AbstractDiffusersScheduler> c : CLASSES) {
            Component component = c.getAnnotation(Component.class);
            assertThat(component.settings()).as(c.getSimpleName()).isEqualTo(SchedulerSettings.class);
            List<Constructor<?>> publicConstructors = Arrays.stream(c.getConstructors())
                    .filter(k -> Modifier.isPublic(k.getModifiers())).toList();
            assertThat(publicConstructors).as(c.getSimpleName()).hasSize(1);
            assertThat(publicConstructors.get(0).getParameterTypes())
                    .containsExactly(SchedulerSettings.class, io.assay.sdk.StageContext.class);
            names.add(component.name());
        }
        assertThat(names).containsExactlyInAnyOrderElementsOf(Schedulers.NAMES);
    }

    @Test
    void settingsMirrorTheConfigKeys() {
        RecordComponent[] components = SchedulerSettings.class.getRecordComponents();
        Set<String> keys = new java.util.HashSet<>();
        for (RecordComponent rc : components) {
            Setting setting = rc.getAnnotation(Setting.class);
            assertThat(setting).as(rc.getName()).isNotNull();
            assertThat(setting.doc()).as(rc.getName()).isNotBlank();
            // Every setting is optional: unset means "the model's file, else the class default".
            assertThat(setting.defaultValue()).as(rc.getName()).isEmpty();
            assertThat(rc.getType().isPrimitive()).as(rc.getName() + " must be boxed").isFalse();
            String kebab = rc.getName().replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
            if (rc.getType() == Path.class) {
                assertThat(kebab).isEqualTo("model-dir");
                continue;
            }
            ConfigKey key = Arrays.stream(ConfigKey.values()).filter(k -> k.setting().equals(kebab)).findFirst()
                    .orElseThrow(() -> new AssertionError("no ConfigKey for setting " + kebab));
            // The plugin resolves scheduler_config.json itself (ConfigKey holds the JSON keys): a diffusersKey here
            // would let an SDK 1.1 host fill the settings from the file, and file values would look explicit.
            assertThat(setting.diffusersKey()).as(kebab).isEmpty();
            assertThat(List.of(setting.oneOf())).as(kebab).isEqualTo(key.oneOf());
            keys.add(kebab);
        }
        assertThat(keys).hasSize(ConfigKey.values().length);
    }
}
