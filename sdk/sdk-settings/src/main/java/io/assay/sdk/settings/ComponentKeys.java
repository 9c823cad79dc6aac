package io.assay.sdk.settings;

import io.assay.sdk.Component;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The settings keys a component accepts ({@link Component#keys()}, since SDK 1.2): the keys it names, or every key of
 * its settings record when it names none (every component of SDK 1.0 and 1.1). What the host binds, what
 * {@code assay config describe} lists and what the host checks when it loads the plugin.
 */
public final class ComponentKeys {

    private ComponentKeys() {
    }

    /**
     * The keys {@code component} accepts, in the record's declaration order.
     *
     * @param component a class annotated with {@link Component}
     * @throws IllegalArgumentException if it is not annotated
     */
    public static Set<String> accepted(Class<?> component) {
        Component c = annotation(component);
        Set<String> all = new LinkedHashSet<>(SettingsBinder.keysInOrder(c.settings()));
        if (c.keys().length == 0) {
            return Collections.unmodifiableSet(all);
        }
        all.retainAll(Set.of(c.keys()));
        return Collections.unmodifiableSet(all);
    }

    /** The settings {@code component} accepts: its record's {@link SettingsBinder#describe descriptors}, filtered. */
    public static List<SettingsBinder.Descriptor> describe(Class<?> component) {
        Set<String> accepted = accepted(component);
        List<SettingsBinder.Descriptor> out = new ArrayList<>();
        for (SettingsBinder.Descriptor d : SettingsBinder.describe(annotation(component).settings())) {
            if (accepted.contains(d.key())) {
                out.add(d);
            }
        }
        return out;
    }

    /**
     * What is wrong with {@code component}'s {@link Component#keys()}, if anything: each key must be a key of its
     * settings record, listed once. Empty when it names none.
     */
    public static List<String> problems(Class<?> component) {
        Component c = annotation(component);
        List<String> out = new ArrayList<>();
        if (c.keys().length == 0) {
            return out;
        }
        List<String> known = SettingsBinder.keysInOrder(c.settings());
        Set<String> seen = new HashSet<>();
        for (String k : c.keys()) {
            if (!known.contains(k)) {
                String hint = Names.suggest(k, known);
                out.add("@Component(keys) names '" + k + "', which is not a key of " + c.settings().getName()
                        + (hint != null ? "; did you mean '" + hint + "'?"
                        : "; its keys: " + String.join(", ", known)));
            }
            if (!seen.add(k)) {
                out.add("@Component(keys) names '" + k + "' twice");
            }
        }
        return out;
    }

    private static Component annotation(Class<?> component) {
        Component c = component.getAnnotation(Component.class);
        if (c == null) {
            throw new IllegalArgumentException(component.getName() + " has no @Component annotation");
        }
        return c;
    }
}
