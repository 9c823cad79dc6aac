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
import io.assay.sdk.settings.ComponentKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Builds pipelines from validated configurations: one stage instance per generation stage, all from the plugin
 * versions one {@link Lease} pins, checked for {@link Compatibility} before anything runs. The stages are created
 * concurrently (each may load a model; loads are independent), and a failure is reported for the first stage in
 * pipeline order, so messages do not depend on timing.
 */
public final class PipelineAssembler {

    /** Threads that create stages; daemon, so a CLI process ends when its work does. */
    private static final ExecutorService CREATORS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "assay-stage-creator");
        t.setDaemon(true);
        return t;
    });

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
            Map<StageKey, CompletableFuture<Stage>> pending = new LinkedHashMap<>();
            for (StageKey k : StageKey.GENERATION) {
                ValidatedConfig.Selection s = v.stages().get(k.key());
                TraceSink sink = trace == null ? TraceSink.NONE : trace.sink(k.key(), s.canonicalName());
                pending.put(k, CompletableFuture.supplyAsync(() -> host.create(lease, k.type(), s.canonicalName(),
                        s.settings(), new RunStageContext(k.key(), s.canonicalName(), sink, () -> false, baseDir,
                                v.model())),
                        CREATORS));
            }
            Map<StageKey, Stage> stages = collect(pending, created);
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

    /**
     * Waits for every stage; the created ones go to {@code created} (to be closed on failure), and the first failure
     * in pipeline order is thrown once all have settled.
     */
    private static Map<StageKey, Stage> collect(Map<StageKey, CompletableFuture<Stage>> pending, List<Stage> created) {
        Map<StageKey, Stage> stages = new LinkedHashMap<>();
        Throwable first = null;
        for (Map.Entry<StageKey, CompletableFuture<Stage>> e : pending.entrySet()) {
            try {
                Stage s = e.getValue().join();
                created.add(s);
                stages.put(e.getKey(), s);
            } catch (CompletionException ex) {
                first = first != null ? first : ex.getCause();
            }
        }
        if (first instanceof RuntimeException r) {
            throw r;
        }
        if (first instanceof Error err) {
            throw err;
        }
        return stages;
    }

    /** One stage alone (e.g. the text encoder for {@code tokenize}), built under its own lease. */
    public <S extends Stage> SingleStage<S> single(ValidatedConfig v, StageKey key, Class<S> type) {
        ValidatedConfig.Selection s = v.stages().get(key.key());
        Lease lease = host.lease();
        try {
            S stage = type.cast(host.create(lease, key.type(), s.canonicalName(), s.settings(),
                    new RunStageContext(key.key(), s.canonicalName(), TraceSink.NONE, () -> false, baseDir,
                            v.model())));
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
                            c.pluginId() + " " + c.pluginVersion(), ComponentKeys.accepted(c.extensionClass()));
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
