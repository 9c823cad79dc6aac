package io.assay.sdk.diffusion;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The run parameters a component works well with (since SDK 1.1), on a scheduler's class next to
 * {@link io.assay.sdk.Component}. The host warns (it never refuses) when a run is outside them, e.g. for LCM:
 * {@code @Recommended(steps = {2, 8}, guidance = {1, 2}, reason = "LCM-distilled models …")}.
 * {@link RecommendedRanges} reads and checks the declaration.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Recommended {

    /** Inclusive step-count range {@code {min, max}}, both at least 1; empty means no recommendation. */
    int[] steps() default {};

    /** Inclusive guidance-scale range {@code {min, max}}, both at least 0; empty means no recommendation. */
    double[] guidance() default {};

    /** Why, in one line, shown with the warning (e.g. the kind of model it is made for). */
    String reason() default "";
}
