package io.assay.plugins.noise;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.util.Arrays;

/** Shape checks shared by the noise sources. */
final class Shapes {

    private Shapes() {
    }

    /**
     * The element count of a requested noise shape.
     *
     * @throws StageException {@link ErrorCode#INVALID_INPUT} naming the component and the shape if a dimension
     *     is negative or the tensor would not fit in one Java array
     */
    static int count(String component, long[] shape) {
        if (shape == null) {
            throw new StageException(ErrorCode.INVALID_INPUT, "Noise source '" + component
                    + "' was asked for a null shape");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Noise source '" + component
                        + "' was asked for shape " + Arrays.toString(shape) + "; dimensions must be >= 0");
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new StageException(ErrorCode.INVALID_INPUT, "Noise source '" + component
                        + "' was asked for shape " + Arrays.toString(shape) + "; at most "
                        + (Integer.MAX_VALUE - 8) + " elements fit in one tensor");
            }
        }
        return (int) n;
    }
}
