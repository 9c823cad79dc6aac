package io.assay.sdk;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares one setting: a component of a settings record.
 *
 * <p>The config key is the record component's name in kebab-case ({@code timestepSpacing} →
 * {@code timestep-spacing}) unless {@link #key()} is given. Supported component types: {@code boolean},
 * {@code int}, {@code long}, {@code double}, {@code float}, their boxed forms ({@code Boolean}, {@code Integer},
 * {@code Long}, {@code Double}, {@code Float}: with an empty default they are optional and arrive as {@code null}
 * when unset, so a component can tell "not given" from a value), {@link String}, {@link java.nio.file.Path}, any
 * {@code enum} (written in config as its constant name in kebab-case, case-insensitive), and
 * {@code java.util.List} of {@link String}, {@link Double} or {@link Integer}. A {@code String} or
 * {@code Path} whose default is empty is optional and arrives as {@code null} when unset.
 *
 * <p>A settings record may validate further in its compact constructor by throwing
 * {@link IllegalArgumentException}; the host reports the message with the file and line of the block.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface Setting {

    /** One line of documentation; required (the settings contract refuses an empty doc). */
    String doc();

    /** The default, written as it would be in HOCON (lists as {@code "[1, 2]"}); empty means optional/none. */
    String defaultValue() default "";

    /** The config key; defaults to the component name in kebab-case. */
    String key() default "";

    /** Inclusive lower bound for numbers. */
    double min() default Double.NEGATIVE_INFINITY;

    /** Inclusive upper bound for numbers. */
    double max() default Double.POSITIVE_INFINITY;

    /** For strings: the allowed values (empty means any). */
    String[] oneOf() default {};

    /** The diffusers {@code scheduler_config.json} / {@code config.json} key this setting mirrors, if any. */
    String diffusersKey() default "";
}
