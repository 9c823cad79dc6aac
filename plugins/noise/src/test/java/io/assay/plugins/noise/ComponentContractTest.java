package io.assay.plugins.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.Component;
import io.assay.sdk.NoSettings;
import io.assay.sdk.Setting;
import io.assay.sdk.diffusion.NoiseSource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pf4j.Extension;

/** The plugin's component declarations as the host reads them. */
class ComponentContractTest {

    private static final List<Class<? extends NoiseSource>> CLASSES =
            List.of(TorchCpuNoiseSource.class, ReplayNoiseSource.class, FastNoiseSource.class);

    @Test
    void everyComponentIsAnInjectableExtension() {
        for (Class<? extends NoiseSource> c : CLASSES) {
            assertThat(c.getAnnotation(Extension.class)).as(c.getSimpleName()).isNotNull();
            Component component = c.getAnnotation(Component.class);
            assertThat(component).as(c.getSimpleName()).isNotNull();
            assertThat(component.name()).matches("[a-z][a-z0-9]*(-[a-z0-9]+)*");
            assertThat(component.description()).isNotBlank();
            Constructor<?>[] constructors = c.getConstructors();
            assertThat(constructors).as(c.getSimpleName()).hasSize(1);
            assertThat(constructors[0].getAnnotation(Inject.class)).isNotNull();
        }
        assertThat(CLASSES.stream().map(c -> c.getAnnotation(Component.class).name()))
                .containsExactly("torch-cpu", "replay", "fast");
        assertThat(TorchCpuNoiseSource.class.getAnnotation(Component.class).settings()).isEqualTo(NoSettings.class);
        assertThat(FastNoiseSource.class.getAnnotation(Component.class).settings()).isEqualTo(NoSettings.class);
        assertThat(ReplayNoiseSource.class.getAnnotation(Component.class).settings()).isEqualTo(ReplaySettings.class);
    }

    @Test
    void replaySettingsAreDocumented() {
        for (RecordComponent rc : ReplaySettings.class.getRecordComponents()) {
            Setting s = rc.getAnnotation(Setting.class);
            assertThat(s).as(rc.getName()).isNotNull();
            assertThat(s.doc()).isNotBlank();
        }
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
