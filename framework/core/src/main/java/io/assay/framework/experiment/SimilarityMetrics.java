package io.assay.framework.experiment;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import io.assay.framework.assembly.RunStageContext;
import io.assay.framework.host.ComponentInfo;
import io.assay.framework.host.Lease;
import io.assay.framework.host.PluginHost;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.TraceSink;
import io.assay.sdk.metrics.SimilarityMetric;
import io.assay.sdk.settings.ConfigReport;
import io.assay.sdk.settings.SettingsBinder;
import io.assay.sdk.tensor.RgbImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code metrics.similarity}: a {@link SimilarityMetric} component scoring compare cells (since SDK 1.1). */
final class SimilarityMetrics {

    private SimilarityMetrics() {
    }

    /** A created metric and the lease pinning its plugin; closing releases both. */
    record Opened(SimilarityMetric metric, Lease lease, String label) implements AutoCloseable {

        double score(RgbImage image, String prompt) {
            double[] s = metric.scores(List.of(image), List.of(prompt));
            if (s == null || s.length != 1 || !Double.isFinite(s[0])) {
                throw new StageException(ErrorCode.INTERNAL, label + " returned " + (s == null ? "null"
                        : java.util.Arrays.toString(s)) + " for one image–text pair; expected one finite score");
            }
            return s[0];
        }

        String describe() {
            return label + ": " + metric.describe();
        }

        @Override
        public void close() {
            try {
                metric.close();
            } finally {
                lease.close();
            }
        }
    }

    /**
     * Creates the metric {@code name} with its declared defaults, {@code model-dir} falling back to {@code modelDir}.
     *
     * @throws StageException {@code INVALID_SETTING} naming {@code metrics.similarity} and the installed metrics when
     *     none has that name or its defaults do not bind
     */
    static Opened open(PluginHost host, String name, Path modelDir) {
        host.require(SimilarityMetric.class, name);
        Lease lease = host.lease();
        try {
            ComponentInfo c = lease.catalog().find(SimilarityMetric.class, name).orElseThrow(() -> new StageException(
                    ErrorCode.INVALID_SETTING, "metrics.similarity: no SimilarityMetric named '" + name
                    + "'; installed: " + lease.catalog().names(SimilarityMetric.class)));
            Map<String, ConfigValue> fallbacks = modelDir == null ? Map.of()
                    : Map.of("model-dir", ConfigValueFactory.fromAnyRef(modelDir.toString(), "model.dir"));
            ConfigReport report = new ConfigReport();
            Record settings = SettingsBinder.bind(ConfigFactory.empty(), null, "metrics.similarity",
                    c.settingsType(), Set.of(), "SimilarityMetric '" + name + "'", fallbacks, report);
            if (settings == null) {
                throw new StageException(ErrorCode.INVALID_SETTING, "metrics.similarity: '" + name
                        + "' cannot run with its defaults:\n" + report.format("metrics.similarity"));
            }
            SimilarityMetric m = host.create(lease, SimilarityMetric.class, c.name(), settings,
                    new RunStageContext("metrics.similarity", c.name(), TraceSink.NONE, () -> false,
                            Path.of("").toAbsolutePath()));
            return new Opened(m, lease, "SimilarityMetric '" + c.name() + "' (plugin " + c.pluginLabel() + ")");
        } catch (RuntimeException e) {
            lease.close();
            throw e;
        }
    }
}
