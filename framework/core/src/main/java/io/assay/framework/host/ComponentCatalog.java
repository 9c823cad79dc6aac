package io.assay.framework.host;

import io.assay.sdk.Stage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An immutable snapshot of the installed components, by stage and name. */
public final class ComponentCatalog {

    private final Map<Class<? extends Stage>, Map<String, ComponentInfo>> byStage;

    ComponentCatalog(Map<Class<? extends Stage>, Map<String, ComponentInfo>> byStage) {
        this.byStage = byStage;
    }

    /** The components of a stage, sorted by name. */
    public List<ComponentInfo> components(Class<? extends Stage> stage) {
        List<ComponentInfo> out = new ArrayList<>(byStage.getOrDefault(stage, Map.of()).values());
        out.sort(Comparator.comparing(ComponentInfo::name));
        return out;
    }

    /** A component by stage and name (or alias). */
    public Optional<ComponentInfo> find(Class<? extends Stage> stage, String name) {
        Map<String, ComponentInfo> m = byStage.getOrDefault(stage, Map.of());
        ComponentInfo c = m.get(name);
        if (c != null) {
            return Optional.of(c);
        }
        return m.values().stream().filter(i -> i.aliases().contains(name)).findFirst();
    }

    /** The component names of a stage, sorted. */
    public List<String> names(Class<? extends Stage> stage) {
        return components(stage).stream().map(ComponentInfo::name).toList();
    }
}
