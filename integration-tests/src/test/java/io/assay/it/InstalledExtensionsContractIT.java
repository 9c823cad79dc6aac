package io.assay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.assay.framework.host.ComponentInfo;
import io.assay.framework.host.Lease;
import io.assay.framework.host.PluginHost;
import io.assay.framework.world.EmbeddedWorld;
import io.assay.sdk.Stage;
import io.assay.sdk.curation.ScraperFilter;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import io.assay.sdk.onnx.OnnxRuntimeSettings;
import io.assay.sdk.onnx.OnnxSessions;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.settings.SettingsBinder;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.TestStageContext;
import io.assay.sdk.testkit.Tensors;
import io.assay.sdk.testkit.contract.AutoencoderContract;
import io.assay.sdk.testkit.contract.DenoiserContract;
import io.assay.sdk.testkit.contract.GuidanceContract;
import io.assay.sdk.testkit.contract.NoiseSourceContract;
import io.assay.sdk.testkit.contract.SchedulerContract;
import io.assay.sdk.testkit.contract.ScraperFilterContract;
import io.assay.sdk.testkit.contract.TextEncoderContract;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every extension installed in the built distribution, loaded by the real plugin host (its own class loader, Guice
 * wiring, settings bound from declared defaults; neural ones on the embedded world), run through the SDK test kit's
 * contract for its stage. One dynamic test per component and contract check.
 */
class InstalledExtensionsContractIT {

    static PluginHost host;
    static OnnxSessions sessions;
    static Path world;
    static final List<String> skipped = new ArrayList<>();

    @BeforeAll
    static void load() {
        world = EmbeddedWorld.ensure(Dist.worldCache(), msg -> { });
        sessions = new OnnxSessions(SettingsBinder.bind(ConfigFactory.empty(), null, "onnx",
                OnnxRuntimeSettings.class, Set.of(), "onnx", Map.of(), new ConfigReport()));
        host = new PluginHost(Dist.home().resolve("plugins"), Guice.createInjector(new AbstractModule() {
            @Override
            protected void configure() {
                bind(OnnxSessions.class).toInstance(sessions);
            }
        }));
        host.loadAll();
    }

    @AfterAll
    static void close() {
        if (host != null) {
            host.close();
        }
        if (sessions != null) {
            sessions.close();
        }
        System.out.println("installed-extension contracts: skipped (settings without defaults) " + skipped);
    }

    /** The component's settings from its declared defaults, model-dir falling back to the embedded world. */
    static Record settings(ComponentInfo c) {
        ConfigReport report = new ConfigReport();
        Map<String, ConfigValue> fallbacks = Map.of("model-dir", ConfigValueFactory.fromAnyRef(world.toString()));
        Record r = SettingsBinder.bind(ConfigFactory.empty(), null, c.name(), c.settingsType(), Set.of(),
                "component '" + c.name() + "'", fallbacks, report);
        return report.hasErrors() ? null : r;
    }

    static <S extends Stage> S create(ComponentInfo c, Class<S> type, Record settings) {
        Lease lease = host.lease();
        S s = host.create(lease, type, c.name(), settings, new TestStageContext(c.stage().getSimpleName(),
                c.name()));
        leases.add(lease);
        return s;
    }

    static final List<Lease> leases = new ArrayList<>();

    /**
     * What the plugins' own fixtures declare about their components (the kit tests declared behaviour, and these
     * are properties a fixture states rather than something the stage interface exposes).
     */
    static final Set<String> STOCHASTIC_SCHEDULERS = Set.of("euler-ancestral", "lcm");
    static final Set<String> STATEFUL_FILTERS = Set.of("near-duplicate");

    /** A contract instance whose create() asks the host for the installed component. */
    static Object contract(ComponentInfo c, Record settings) {
        Class<? extends Stage> stage = c.stage();
        if (stage == Scheduler.class) {
            return new SchedulerContract() {
                @Override
                public Scheduler create() {
                    return InstalledExtensionsContractIT.create(c, Scheduler.class, settings);
                }

                @Override
                public boolean stochastic() {
                    return STOCHASTIC_SCHEDULERS.contains(c.name());
                }
            };
        }
        if (stage == Guidance.class) {
            return (GuidanceContract) () -> create(c, Guidance.class, settings);
        }
        if (stage == NoiseSource.class) {
            return (NoiseSourceContract) () -> create(c, NoiseSource.class, settings);
        }
        if (stage == TextEncoder.class) {
            return (TextEncoderContract) () -> create(c, TextEncoder.class, settings);
        }
        if (stage == Autoencoder.class) {
            return new AutoencoderContract() {
                @Override
                public Autoencoder create() {
                    return InstalledExtensionsContractIT.create(c, Autoencoder.class, settings);
                }

                @Override
                public boolean supportsSampling() {
                    return false; // the embedded world's encoder exports the mean only (latent_sample)
                }
            };
        }
        if (stage == ScraperFilter.class) {
            return new ScraperFilterContract() {
                @Override
                public ScraperFilter create() {
                    return InstalledExtensionsContractIT.create(c, ScraperFilter.class, settings);
                }

                @Override
                public boolean stateful() {
                    return STATEFUL_FILTERS.contains(c.name());
                }
            };
        }
        if (stage == Denoiser.class) {
            Denoiser probe = create(c, Denoiser.class, settings);
            long[] latent = {1, probe.latentChannels(), 8, 8};
            Tensor cond = Tensors.normal(5, new long[] {1, 77, Math.max(1, probe.crossAttentionDim())});
            probe.close();
            return new DenoiserContract() {
                @Override
                public Denoiser create() {
                    return InstalledExtensionsContractIT.create(c, Denoiser.class, settings);
                }

                @Override
                public long[] latentShape() {
                    return latent;
                }

                @Override
                public Tensor conditioning() {
                    return cond;
                }
            };
        }
        if (stage == io.assay.sdk.curation.DatasetWriter.class) {
            return new io.assay.sdk.testkit.contract.DatasetWriterContract() {
                @Override
                public io.assay.sdk.curation.DatasetWriter create() {
                    return InstalledExtensionsContractIT.create(c, io.assay.sdk.curation.DatasetWriter.class,
                            settings);
                }

                @Override
                public io.assay.sdk.curation.RecordSource readBack(Path directory) {
                    String reader;
                    try (io.assay.sdk.curation.DatasetWriter w = create()) {
                        reader = w.readBy();
                    }
                    ComponentInfo r = host.catalog().find(io.assay.sdk.curation.RecordSource.class, reader)
                            .orElseThrow(() -> new AssertionError(c.name() + " is read by '" + reader
                                    + "', which is not installed"));
                    ConfigReport report = new ConfigReport();
                    Record s = SettingsBinder.bind(ConfigFactory.parseMap(Map.of("paths",
                            List.of(directory.toString()))), null, reader, r.settingsType(), Set.of(),
                            "component '" + reader + "'", Map.of(), report);
                    assertThat(report.hasErrors()).as(report.format(reader)).isFalse();
                    return InstalledExtensionsContractIT.create(r, io.assay.sdk.curation.RecordSource.class, s);
                }
            };
        }
        if (stage == io.assay.sdk.curation.RecordSource.class) {
            return (io.assay.sdk.testkit.contract.RecordSourceContract) () -> create(c,
                    io.assay.sdk.curation.RecordSource.class, settings);
        }
        if (stage == io.assay.sdk.metrics.SimilarityMetric.class) {
            return (io.assay.sdk.testkit.contract.SimilarityMetricContract) () -> create(c,
                    io.assay.sdk.metrics.SimilarityMetric.class, settings);
        }
        throw new AssertionError("no contract for stage " + stage);
    }

    static List<Method> checks(Class<?> type) {
        List<Method> out = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.isAnnotationPresent(Test.class) && m.getParameterCount() == 0) {
                out.add(m);
            }
        }
        out.sort(java.util.Comparator.comparing(Method::getName));
        return out;
    }

    @TestFactory
    Stream<DynamicTest> everyInstalledExtensionPassesItsStageContract() {
        List<DynamicTest> tests = new ArrayList<>();
        int components = 0;
        for (Class<? extends Stage> stage : PluginHost.STAGES) {
            for (ComponentInfo c : host.catalog().components(stage)) {
                Record settings = settings(c);
                if (settings == null) {
                    skipped.add(c.name());
                    continue;
                }
                components++;
                Object contract = contract(c, settings);
                for (Method m : checks(contract.getClass())) {
                    tests.add(DynamicTest.dynamicTest(c.pluginId() + "/" + c.name() + " " + m.getName(), () -> {
                        try {
                            m.invoke(contract);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        } finally {
                            leases.forEach(Lease::close);
                            leases.clear();
                        }
                    }));
                }
            }
        }
        assertThat(components).as("installed components with bindable defaults").isGreaterThanOrEqualTo(25);
        System.out.println("installed-extension contracts: " + components + " components, " + tests.size()
                + " checks");
        return tests.stream();
    }
}
