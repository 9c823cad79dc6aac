package io.assay.sdk.testkit.contract;

import io.assay.sdk.Component;
import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import io.assay.sdk.tensor.Tensor;
import io.assay.sdk.testkit.Tensors;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;

/** The contracts' assertions: each failure says what was expected and what the stage did. */
final class Checks {

    /** Component names, plugin ids, setting keys and verdict reasons: lowercase kebab-case. */
    static final Pattern KEBAB = io.assay.sdk.settings.Names.KEBAB;

    private Checks() {
    }

    /** How messages name a stage: {@code scheduler 'euler' (EulerDiscreteScheduler)}. */
    static String describe(Object stage) {
        Class<?> c = stage instanceof Class<?> k ? k : stage.getClass();
        Component comp = c.getAnnotation(Component.class);
        return (comp == null ? "stage" : "component '" + comp.name() + "'") + " (" + c.getName() + ")";
    }

    static AssertionError fail(String message) {
        return new org.opentest4j.AssertionFailedError(message);
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw fail(message);
        }
    }

    static void shape(String subject, String what, long[] expected, Tensor actual) {
        if (actual == null) {
            throw fail(subject + ": expected " + what + " of shape " + Arrays.toString(expected)
                    + ", but got null");
        }
        if (!Arrays.equals(expected, actual.shape())) {
            throw fail(subject + ": expected " + what + " of shape " + Arrays.toString(expected) + ", but got "
                    + actual.shapeString());
        }
    }

    static void finite(String subject, String what, Tensor t) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            if (!Float.isFinite(d[i])) {
                throw fail(subject + ": expected " + what + " to hold finite numbers only, but element " + i
                        + " of " + d.length + " is " + d[i]);
            }
        }
    }

    static void unchanged(String subject, String what, float[] before, Tensor after) {
        String diff = Tensors.difference(before, after.data(), 0);
        if (diff != null) {
            throw fail(subject + " modified its input " + what + ": expected it unchanged (a stage must not modify "
                    + "a tensor it received), but " + diff + " (before vs after)");
        }
    }

    static void bitIdentical(String subject, String what, Tensor first, Tensor second) {
        if (!first.sameShape(second)) {
            throw fail(subject + ": expected " + what + " to be identical on both calls, but the shapes are "
                    + first.shapeString() + " and " + second.shapeString());
        }
        String diff = Tensors.difference(first.data(), second.data(), 0);
        if (diff != null) {
            throw fail(subject + ": expected " + what + " to be bit-identical on both calls (deterministic), but "
                    + diff + " (first vs second)");
        }
    }

    static void close(String subject, String what, Tensor expected, Tensor actual, double tolerance) {
        if (!expected.sameShape(actual)) {
            throw fail(subject + ": expected " + what + " of shape " + expected.shapeString() + ", but got "
                    + actual.shapeString());
        }
        String diff = Tensors.difference(expected.data(), actual.data(), tolerance);
        if (diff != null) {
            throw fail(subject + ": expected " + what + " within " + tolerance + ", but " + diff
                    + " (expected vs actual)");
        }
    }

    static void notShared(String subject, String what, Tensor result, Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in != null && result.data() == in.data()) {
                throw fail(subject + ": expected " + what + " to be a new tensor owned by the caller, but it shares "
                        + "its data array with an input");
            }
        }
    }

    /** Runs {@code call} expecting {@link StageException} with {@code code}. */
    static StageException refused(String subject, String call, ErrorCode code, Runnable action) {
        try {
            action.run();
        } catch (StageException e) {
            if (e.code() != code) {
                throw fail(subject + ": expected " + call + " to throw StageException " + code + ", but it threw "
                        + e.code() + ": " + e.getMessage());
            }
            return e;
        } catch (RuntimeException | Error e) {
            if (e instanceof AssertionError a) {
                throw a;
            }
            AssertionError err = fail(subject + ": expected " + call + " to throw StageException " + code
                    + ", but it threw " + e);
            err.initCause(e);
            throw err;
        }
        throw fail(subject + ": expected " + call + " to throw StageException " + code
                + ", but it returned normally");
    }

    /** Runs {@code action} expecting it not to throw; a throw becomes a failure naming {@code call}. */
    static <T> T succeeds(String subject, String call, java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (RuntimeException e) {
            AssertionError err = fail(subject + ": expected " + call + " to succeed, but it threw " + e);
            err.initCause(e);
            throw err;
        }
    }
}
