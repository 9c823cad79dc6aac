package io.assay.plugins.guidance;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.Component;
import io.assay.sdk.NoSettings;
import io.assay.sdk.Setting;
import io.assay.sdk.diffusion.Guidance;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.pf4j.Extension;

/** The plugin's component declarations as the host reads them. */
class ComponentContractTest {

    private static final List<Class<? extends Guidance>> CLASSES = List.of(NoGuidance.class,
            ClassifierFreeGuidance.class, RescaledClassifierFreeGuidance.class, IntervalClassifierFreeGuidance.class,
            AdaptiveProjectedGuidance.class);

    @Test
    void everyComponentIsAnInjectableExtension() {
        for (Class<? extends Guidance> c : CLASSES) {
            assertThat(c.getAnnotation(Extension.class)).as(c.getSimpleName()).isNotNull();
            Component component = c.getAnnotation(Component.class);
            assertThat(component).as(c.getSimpleName()).isNotNull();
            assertThat(component.name()).matches("[a-z][a-z0-9]*(-[a-z0-9]+)*");
            assertThat(component.description()).isNotBlank();
            Constructor<?>[] constructors = c.getConstructors();
            assertThat(constructors).as(c.getSimpleName()).hasSize(1);
            assertThat(constructors[0].getAnnotation(Inject.class)).isNotNull();
            Class<?>[] params = constructors[0].getParameterTypes();
            if (component.settings() == NoSettings.class) {
                assertThat(params).isEmpty();
            } else {
                assertThat(params).containsExactly(component.settings());
            }
        }
        assertThat(CLASSES.stream().map(c -> c.getAnnotation(Component.class).name()))
                .containsExactly("none", "cfg", "cfg-rescale", "cfg-interval", "apg");
    }

    /** Every settings record's declared defaults build a valid record (so the defaults the host applies work). */
    @Test
    void declaredDefaultsMakeAValidRecord() throws ReflectiveOperationException {
        for (Class<? extends Guidance> c : CLASSES) {
            Class<? extends Record> type = c.getAnnotation(Component.class).settings();
            RecordComponent[] rcs = type.getRecordComponents();
            Object[] args = new Object[rcs.length];
            Class<?>[] types = new Class<?>[rcs.length];
            for (int i = 0; i < rcs.length; i++) {
                Setting s = rcs[i].getAnnotation(Setting.class);
                assertThat(s).as(type.getSimpleName() + "." + rcs[i].getName()).isNotNull();
                assertThat(s.doc()).isNotBlank();
                assertThat(s.defaultValue()).as(rcs[i].getName()).isNotEmpty();
                types[i] = rcs[i].getType();
                args[i] = parse(types[i], s.defaultValue());
            }
            Record r = type.getDeclaredConstructor(types).newInstance(args);
            assertThat(r).isNotNull();
        }
    }

    private static Object parse(Class<?> type, String value) {
        if (type == double.class) {
            return Double.parseDouble(value);
        }
        if (type == boolean.class) {
            return Boolean.parseBoolean(value);
        }
        if (type.isEnum()) {
            for (Object constant : type.getEnumConstants()) {
                if (((Enum<?>) constant).name().replace('_', '-').toLowerCase(Locale.ROOT).equals(value)) {
                    return constant;
                }
            }
        }
        throw new AssertionError("cannot parse default '" + value + "' as " + type);
    }

    @Test
    void extensionIndexListsEveryComponent() throws IOException {
        // Test compilation writes its own (empty) index too, so read every copy on the class path.
        StringBuilder idx = new StringBuilder();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/extensions.idx"))) {
            try (InputStream in = url.openStream()) {
                idx.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        for (Class<?> c : CLASSES) {
            assertThat(idx.toString()).as("META-INF/extensions.idx written by PF4J's annotation processor")
                    .contains(c.getName());
        }
    }
}
