package io.assay.plugins.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.assay.sdk.Component;
import io.assay.sdk.NoSettings;
import io.assay.sdk.diffusion.NoiseSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What is particular to this plugin's declarations. The generic rules (kebab-case names, descriptions,
 * {@code @Extension}, injectable constructors, documented settings, the extension index) are the test kit's
 * contracts ({@link NoiseSourceContractTest}, {@link PluginContractsTest}).
 */
class ComponentContractTest {

    private static final List<Class<? extends NoiseSource>> CLASSES =
            List.of(TorchCpuNoiseSource.class, ReplayNoiseSource.class, FastNoiseSource.class);

    @Test
    void theThreeSourcesAndTheirSettings() {
        assertThat(CLASSES.stream().map(c -> c.getAnnotation(Component.class).name()))
                .containsExactly("torch-cpu", "replay", "fast");
        assertThat(TorchCpuNoiseSource.class.getAnnotation(Component.class).settings()).isEqualTo(NoSettings.class);
        assertThat(FastNoiseSource.class.getAnnotation(Component.class).settings()).isEqualTo(NoSettings.class);
        assertThat(ReplayNoiseSource.class.getAnnotation(Component.class).settings()).isEqualTo(ReplaySettings.class);
    }
}
