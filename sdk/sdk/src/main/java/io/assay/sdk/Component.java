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
}
