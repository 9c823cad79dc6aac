package io.assay.framework.assembly;

import io.assay.framework.host.Lease;
import io.assay.sdk.Stage;

/**
 * One stage and its lease; closing closes both.
 *
 * @param stage the stage
 * @param lease the plugin versions it comes from
 * @param <S> the stage type
 */
public record SingleStage<S extends Stage>(S stage, Lease lease) implements AutoCloseable {

    @Override
    public void close() {
        stage.close();
        lease.close();
    }
}
