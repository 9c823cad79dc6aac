package io.assay.sdk;

import static java.util.Objects.requireNonNull;

/**
 * The one exception type stages throw. Its message names what failed, the subject in single quotes, what was
 * found and what was expected, e.g. {@code Model 'unet/model.onnx' has no input 'timestep'; inputs are
 * [sample, t, encoder_hidden_states]}.
 */
public class StageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /** Creates an exception with a code and a message. */
    public StageException(ErrorCode code, String message) {
        super(message);
        this.code = requireNonNull(code, "code is null");
    }

    /** Creates an exception with a code, a message and a cause. */
    public StageException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = requireNonNull(code, "code is null");
    }

    /** The standard refusal for an undeclared capability: "Component 'name' does not support feature". */
    public static StageException unsupported(String component, String feature) {
        return new StageException(ErrorCode.UNSUPPORTED, "Component '" + component + "' does not support " + feature);
    }

    /** The category of failure. */
    public ErrorCode code() {
        return code;
    }
}
