package io.assay.sdk;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a stage implementation and declares its settings.
 *
 * <p>The name is what a pipeline file selects ({@code scheduler.name = euler}); it is public API: lowercase
 * kebab-case ({@code [a-z][a-z0-9]*(-[a-z0-9]+)*}), unique per stage among installed plugins. The settings
 * type is a {@link Record} whose components are each annotated with {@link Setting}; the host parses the
 * component's config block into it, validates it, and injects it into the constructor.
 *
 * <p>Components that share one settings record (a family of schedulers, say) each name the keys they accept with
 * {@link #keys()} (since SDK 1.2), so that the host refuses the others at file:line and {@code assay config describe}
 * shows only these.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Component {

    /** The component name, e.g. {@code "euler-ancestral"}. */
    String name();

    /** One line shown by {@code assay plugins} and in the config reference. */
    String description() default "";

    /** The settings record; {@link NoSettings} when the component takes none. */
    Class<? extends Record> settings() default NoSettings.class;

    /** Older names that still select this component; using one logs a deprecation warning naming {@link #name()}. */
    String[] aliases() default {};

    /**
     * The keys of {@link #settings()} this component accepts (since SDK 1.2), as written in config (kebab-case, e.g.
     * {@code {"num-train-timesteps", "eta", "model-dir"}}). Empty, the default (and what every component compiled
     * against SDK 1.0 or 1.1 has), means every key of the record.
     *
     * <p>For a settings record shared by several components, each of which uses only part of it. The host refuses a
     * configured key outside this set where it binds the block — {@code assay config check} and a run alike, at the
     * key's file and line, naming the key and the component — never fills the other keys from {@code model.dir} or
     * the model's configuration, and {@code assay config describe} lists only these. The other record components
     * arrive with their declared defaults ({@code null} when they have none). Each key must be a key of the record,
     * listed once; the host refuses the plugin at load otherwise.
     */
    String[] keys() default {};
}
