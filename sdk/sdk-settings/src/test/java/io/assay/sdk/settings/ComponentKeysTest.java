package io.assay.sdk.settings;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.assay.sdk.Component;
import io.assay.sdk.ModelConfig;
import io.assay.sdk.Setting;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Component#keys()} (SDK 1.2): what a component sharing a settings record accepts, binds and declares. */
class ComponentKeysTest {

    /** One record shared by two components, as the scheduler plugin's is. */
    record Shared(@Setting(doc = "Steps", defaultValue = "10", min = 1) int steps,
            @Setting(doc = "Noise weight") Double eta,
            @Setting(doc = "Model directory") Path modelDir,
            @Setting(doc = "Order", diffusersKey = "solver_order") Integer order) {
    }

    @Component(name = "narrow", settings = Shared.class, keys = {"model-dir", "steps"})
    static final class Narrow {
    }

    /** A component as SDK 1.0 and 1.1 wrote it: no keys, so every key of the record. */
    @Component(name = "wide", settings = Shared.class)
    static final class Wide {
    }

    @Component(name = "typo", settings = Shared.class, keys = {"steps", "etta", "steps"})
    static final class Typo {
    }

    @Test
    void aComponentNamingKeysAcceptsThoseInTheRecordsOrderAndOneNamingNoneAcceptsAll() {
        assertThat(ComponentKeys.accepted(Narrow.class)).containsExactly("steps", "model-dir");
        assertThat(ComponentKeys.accepted(Wide.class)).containsExactly("steps", "eta", "model-dir", "order");
        assertThat(ComponentKeys.describe(Narrow.class)).extracting(SettingsBinder.Descriptor::key)
                .containsExactly("steps", "model-dir");
        assertThat(ComponentKeys.describe(Wide.class)).hasSize(4);
        // config describe names an int and an Integer alike.
        assertThat(ComponentKeys.describe(Wide.class)).extracting(SettingsBinder.Descriptor::typeName)
                .containsExactly("integer", "double", "path", "integer");
    }

    @Test
    void aKeyNotInTheRecordOrNamedTwiceRefusesTheDeclaration() {
        assertThat(ComponentKeys.problems(Narrow.class)).isEmpty();
        assertThat(ComponentKeys.problems(Wide.class)).isEmpty();
        assertThat(ComponentKeys.problems(Typo.class)).containsExactly(
                "@Component(keys) names 'etta', which is not a key of " + Shared.class.getName()
                        + "; did you mean 'eta'?",
                "@Component(keys) names 'steps' twice");
        assertThat(SettingsDeclaration.forComponent(Typo.class)).hasSize(2)
                .allSatisfy(p -> assertThat(p).startsWith("component 'typo' (" + Typo.class.getName() + "): "));
        assertThat(SettingsDeclaration.forComponent(Narrow.class)).isEmpty();
    }

    @Test
    void theBinderRefusesAKeyTheComponentDoesNotAcceptAtItsLineAndFillsItFromNothing() {
        Config block = ConfigFactory.parseString("name = narrow\nsteps = 4\neta = 0.5\n",
                ConfigParseOptions.defaults().setOriginDescription("p.conf"));
        ConfigReport report = new ConfigReport();
        Shared r = SettingsBinder.bind(block, block.origin(), "scheduler", Shared.class,
                ComponentKeys.accepted(Narrow.class), Set.of("name"), "component 'narrow'", Map.of(),
                ModelConfig.NONE, "scheduler", report);
        assertThat(r).isNull();
        assertThat(report.errors()).hasSize(1);
        assertThat(report.errors().get(0).render()).isEqualTo("p.conf:3: scheduler.eta: component 'narrow' does not "
                + "accept the setting 'eta' (its settings record Shared is shared with components that do); it "
                + "accepts: steps, model-dir");

        // Without the refused key the block binds; a fallback for a key it does not accept is dropped.
        Config ok = ConfigFactory.parseString("steps = 4");
        Map<String, ConfigValue> fallbacks = Map.of("model-dir", ConfigValueFactory.fromAnyRef("/models/sd", "x"),
                "eta", ConfigValueFactory.fromAnyRef(0.25, "y"));
        ConfigReport clean = new ConfigReport();
        Shared narrow = SettingsBinder.bind(ok, null, "scheduler", Shared.class, ComponentKeys.accepted(Narrow.class),
                Set.of(), "component 'narrow'", fallbacks, ModelConfig.NONE, "scheduler", clean);
        assertThat(clean.errors()).isEmpty();
        assertThat(narrow).isEqualTo(new Shared(4, null, Path.of("/models/sd"), null));
        // The component that accepts every key gets both fallbacks.
        Shared wide = SettingsBinder.bind(ok, null, "scheduler", Shared.class, ComponentKeys.accepted(Wide.class),
                Set.of(), "component 'wide'", fallbacks, ModelConfig.NONE, "scheduler", clean);
        assertThat(wide).isEqualTo(new Shared(4, 0.25, Path.of("/models/sd"), null));
        assertThat(List.copyOf(clean.errors())).isEmpty();
    }
}
