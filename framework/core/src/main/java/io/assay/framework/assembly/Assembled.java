package io.assay.framework.assembly;

import io.assay.framework.engine.Pipeline;
import io.assay.framework.host.Lease;
import io.assay.framework.settings.ValidatedConfig;
import io.assay.framework.trace.RunTraceRecorder;
import io.assay.sdk.Stage;
import java.util.List;

/**
 * An assembled pipeline and what it holds; closing releases the stages and then the lease.
 *
 * @param pipeline the stages
 * @param lease the plugin versions they come from
 * @param stages every stage instance, to close
 * @param trace the run's trace recorder, or null when not tracing
 * @param config the configuration it was built from
 */
public record Assembled(Pipeline pipeline, Lease lease, List<Stage> stages, RunTraceRecorder trace,
        ValidatedConfig config) implements AutoCloseable {

    @Override
    public void close() {
        closeAll(stages);
        lease.close();
    }

    static void closeAll(List<Stage> stages) {
        for (Stage s : stages) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // closing is best effort on the failure path; the original error is what the user needs
            }
        }
    }
}
