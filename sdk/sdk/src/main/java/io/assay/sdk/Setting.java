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
 * {@code java.util.List} of {@link String}, {@link Double}, {@link Integer} or (since SDK 1.1)
 * {@link java.nio.file.Path} (each resolved like a {@code Path} setting). A {@code String} or
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

    /**
     * The key of the model's diffusers configuration this setting mirrors, if any. Since SDK 1.1 the host fills the
     * setting from the model when the pipeline leaves it unset (an explicit value wins; the declared default applies
     * when the model has no such key), for every component, and the test kit binds the same way
     * ({@code TestSettings.bind(type, hocon, model, stage)}).
     *
     * <p>{@code "num_train_timesteps"} is looked up in the stage's own files ({@link ModelConfig#filesFor}:
     * {@code scheduler/scheduler_config.json} for a scheduler, {@code unet/config.json} for a denoiser,
     * {@code vae_decoder/}, {@code vae_encoder/} or {@code vae/config.json} for an autoencoder,
     * {@code text_encoder/config.json} for a text encoder); {@code "scheduler/scheduler_config.json:prediction_type"}
     * names the file. A value of the wrong type or out of range is reported like a pipeline value, naming the file
     * and key.
     */
    String diffusersKey() default "";
}
