package io.assay.sdk;

/**
 * Categories of {@link StageException}. The CLI maps each {@link Category} to an exit code, so a script can tell
 * a bad config from a bad model file from a bug.
 */
public enum ErrorCode {
    /** An argument or input value is not acceptable (a shape, a size, a prompt the stage cannot take). */
    INVALID_INPUT(Category.USER),
    /** A setting's value is not acceptable. */
    INVALID_SETTING(Category.USER),
    /** The component does not support what was asked ("Component 'x' does not support …"). */
    UNSUPPORTED(Category.USER),
    /** Two components of a pipeline do not fit together (latent channels, hidden size …). */
    INCOMPATIBLE(Category.USER),
    /** A model file or directory is missing. */
    MODEL_MISSING(Category.MODEL),
    /** A model file exists but is corrupt, truncated or does not have the expected inputs and outputs. */
    MODEL_INVALID(Category.MODEL),
    /** An execution provider or native runtime could not be used. */
    RUNTIME_UNAVAILABLE(Category.MODEL),
    /** The run was cancelled. */
    CANCELLED(Category.CANCELLED),
    /** The stage was used after {@link Stage#close()}. */
    CLOSED(Category.INTERNAL),
    /** A bug: an invariant did not hold. */
    INTERNAL(Category.INTERNAL);

    /** Coarse groups of error codes. */
    public enum Category { USER, MODEL, CANCELLED, INTERNAL }

    private final Category category;

    ErrorCode(Category category) {
        this.category = category;
    }

    /** The group this code belongs to. */
    public Category category() {
        return category;
    }
}
