package io.assay.lib.onnxgraph;

/** Told how far a model write has come; called on the writing thread after each chunk of initializer data. */
@FunctionalInterface
public interface WriteProgress {

    /** Ignores every update. */
    WriteProgress NONE = (done, total) -> { };

    /**
     * @param done  initializer bytes written so far (both files)
     * @param total initializer bytes to write in all
     */
    void bytesWritten(long done, long total);
}
