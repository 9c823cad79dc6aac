package io.assay.framework.assembly;

import io.assay.framework.engine.Pipeline;
import io.assay.framework.host.ComponentCatalog;
import io.assay.framework.host.ComponentInfo;
import io.assay.framework.host.Lease;
import io.assay.framework.host.PluginHost;
import io.assay.framework.settings.OutputSettings;
import io.assay.framework.settings.PipelineValidator;
import io.assay.framework.settings.ValidatedConfig;
import io.assay.framework.trace.RunTraceRecorder;
import io.assay.sdk.Stage;
import io.assay.sdk.TraceSink;
import io.assay.sdk.diffusion.Autoencoder;
import io.assay.sdk.diffusion.Denoiser;
import io.assay.sdk.diffusion.Guidance;
import io.assay.sdk.diffusion.NoiseSource;
import io.assay.sdk.diffusion.Scheduler;
import io.assay.sdk.diffusion.TextEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds pipelines from validated configurations: one stage instance per generation stage, all from the plugin
 * versions one {@link Lease} pins, checked for {@link Compatibility} before anything runs.
 */
public final class PipelineAssembler {

    private final PluginHost host;
    private final Path baseDir;

    /**
     * @param host where components come from
     * @param baseDir what relative paths in stage settings are resolved against
     */
    public PipelineAssembler(PluginHost host, Path baseDir) {
        this.host = host;
        this.baseDir = baseDir;
    }

    /** A whole generation pipeline, built under one plugin lease; traced when {@code output.trace} is set. */
    public Assembled assemble(ValidatedConfig v) {
        boolean tracing = v.section("output", OutputSettings.class).trace();
        RunTraceRecorder trace = tracing ? new RunTraceRecorder() : null;
        Lease lease = host.lease();
        List<Stage> created = new ArrayList<>();
        try {
            Map<StageKey, Stage> stages = new LinkedHashMap<>();
            for (StageKey k : StageKey.GENERATION) {
                ValidatedConfig.Selection s = v.stages().get(k.key());
                TraceSink sink = trace == null ? TraceSink.NONE : trace.sink(k.key(), s.canonicalName());
                Stage stage = host.create(lease, k.type(), s.canonicalName(), s.settings(),
                        new RunStageContext(k.key(), s.canonicalName(), sink, () -> false, baseDir));
                created.add(stage);
                stages.put(k, stage);
            }
            Pipeline p = new Pipeline((TextEncoder) stages.get(StageKey.TEXT_ENCODER),
                    (Denoiser) stages.get(StageKey.DENOISER), (Scheduler) stages.get(StageKey.SCHEDULER),
                    (Guidance) stages.get(StageKey.GUIDANCE), (NoiseSource) stages.get(StageKey.NOISE),
                    (Autoencoder) stages.get(StageKey.AUTOENCODER));
            Compatibility.check(p, v);
            if (trace != null) {
                trace.put("components", components(v));
            }
            return new Assembled(p, lease, created, trace, v);
        } catch (RuntimeException e) {
            Assembled.closeAll(created);
            lease.close();
            throw e;
        }
    }

    /** One stage alone (e.g. the text encoder for {@code tokenize}), built under its own lease. */
    public <S extends Stage> SingleStage<S> single(ValidatedConfig v, StageKey key, Class<S> type) {
        ValidatedConfig.Selection s = v.stages().get(key.key());
        Lease lease = host.lease();
        try {
            S stage = type.cast(host.create(lease, key.type(), s.canonicalName(), s.settings(),
                    new RunStageContext(key.key(), s.canonicalName(), TraceSink.NONE, () -> false, baseDir)));
            return new SingleStage<>(stage, lease);
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }

    /** Stage key → {@code component (plugin@version)} of a validated configuration. */
    public static Map<String, String> components(ValidatedConfig v) {
        Map<String, String> out = new LinkedHashMap<>();
        for (ValidatedConfig.Selection s : v.stages().values()) {
            out.put(s.stage(), s.canonicalName() + " (" + s.plugin() + ")");
        }
        return out;
    }

    /** The installed components as the validator sees them. */
    public static PipelineValidator.Components validatorView(ComponentCatalog catalog) {
        return new PipelineValidator.Components() {
            @Override
            public Map<String, PipelineValidator.Installed> installed(String stage) {
                Map<String, PipelineValidator.Installed> out = new LinkedHashMap<>();
                for (ComponentInfo c : catalog.components(StageKey.of(stage).type())) {
                    PipelineValidator.Installed i = new PipelineValidator.Installed(c.name(), c.settingsType(),
                            c.pluginId() + " " + c.pluginVersion());
                    out.put(c.name(), i);
                    for (String alias : c.aliases()) {
                        out.putIfAbsent(alias, i);
                    }
                }
                return out;
            }

            @Override
            public String stageTypeName(String stage) {
                return StageKey.of(stage).type().getSimpleName();
            }
        };
    }
}
