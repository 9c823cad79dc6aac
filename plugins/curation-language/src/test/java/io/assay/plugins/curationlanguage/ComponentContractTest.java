package io.assay.plugins.curationlanguage;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.Component;
import io.assay.sdk.Setting;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pf4j.Extension;

/** The component declaration as the host reads it. */
class ComponentContractTest {

    @Test
    void isAnInjectableExtensionNamedLanguage() {
        Class<LanguageFilter> c = LanguageFilter.class;
        assertThat(c.getAnnotation(Extension.class)).isNotNull();
        Component component = c.getAnnotation(Component.class);
        assertThat(component.name()).isEqualTo("language");
        assertThat(component.description()).isNotBlank();
        assertThat(component.settings()).isEqualTo(LanguageSettings.class);
        Constructor<?>[] constructors = c.getConstructors();
        assertThat(constructors).hasSize(1);
        assertThat(constructors[0].getAnnotation(Inject.class)).isNotNull();
        assertThat(constructors[0].getParameterTypes()).containsExactly(LanguageSettings.class);
    }

    /** The declared defaults, parsed as the host would, make a valid record with the documented values. */
    @Test
    void declaredDefaultsMakeAValidRecord() throws ReflectiveOperationException {
        RecordComponent[] rcs = LanguageSettings.class.getRecordComponents();
        assertThat(Arrays.stream(rcs).map(RecordComponent::getName))
                .containsExactly("keep", "languages", "minConfidence", "minLetters", "lowAccuracy");
        Object[] args = new Object[rcs.length];
        Class<?>[] types = new Class<?>[rcs.length];
        for (int i = 0; i < rcs.length; i++) {
            Setting s = rcs[i].getAnnotation(Setting.class);
            assertThat(s).as(rcs[i].getName()).isNotNull();
            assertThat(s.doc()).isNotBlank();
            assertThat(s.defaultValue()).as(rcs[i].getName()).isNotEmpty();
            types[i] = rcs[i].getType();
            args[i] = parse(types[i], s.defaultValue());
        }
        LanguageSettings d = LanguageSettings.class.getDeclaredConstructor(types).newInstance(args);
        assertThat(d.keep()).containsExactly("en");
        assertThat(d.languages()).isEqualTo(Fixtures.DEFAULT_LANGUAGES);
        assertThat(d.minConfidence()).isEqualTo(0.05);
        assertThat(d.minLetters()).isEqualTo(3);
        assertThat(d.lowAccuracy()).isFalse();
    }

    private static Object parse(Class<?> type, String value) {
        if (type == List.class) {
            assertThat(value).startsWith("[").endsWith("]");
            return Arrays.stream(value.substring(1, value.length() - 1).split(",")).map(String::strip).toList();
        }
        if (type == double.class) {
            return Double.parseDouble(value);
        }
        if (type == int.class) {
            return Integer.parseInt(value);
        }
        if (type == boolean.class) {
            return Boolean.parseBoolean(value);
        }
        throw new AssertionError("cannot parse default '" + value + "' as " + type);
    }

    @Test
    void extensionIndexListsTheComponent() throws IOException {
        StringBuilder idx = new StringBuilder();
        for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/extensions.idx"))) {
            try (InputStream in = url.openStream()) {
                idx.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        assertThat(idx.toString()).contains(LanguageFilter.class.getName());
    }
}
