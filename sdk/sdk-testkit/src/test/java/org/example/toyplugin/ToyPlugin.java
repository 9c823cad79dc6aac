package org.example.toyplugin;

import io.assay.sdk.Component;
import io.assay.sdk.testkit.contract.Toys;
import org.pf4j.Extension;

/**
 * The components of a toy third-party plugin (outside the host-shared {@code io.assay.sdk.} packages), whose class
 * files the packaging-contract tests copy into temporary module directories.
 */
public final class ToyPlugin {

    private ToyPlugin() {
    }

    /** A scheduler. */
    @Extension
    @Component(name = "toy-ddim", description = "A toy scheduler")
    public static class PluginScheduler extends Toys.ToyScheduler {
    }

    /** A filter. */
    @Extension
    @Component(name = "toy-caption", description = "A toy filter")
    public static class PluginFilter extends Toys.ToyCaptionFilter {
    }

    /** A noise source. */
    @Extension
    @Component(name = "toy-noise", description = "A toy noise source")
    public static class PluginNoise extends Toys.ToyNoise {
    }

    /** A second scheduler named like the first. */
    @Extension
    @Component(name = "toy-ddim", description = "A duplicate")
    public static class DuplicateName extends Toys.ToyScheduler {
    }

    /** Not a component. */
    public static class Helper {
    }

    /** Settings whose default does not convert: the host would refuse the plugin at load. */
    public record BadDefault(@io.assay.sdk.Setting(doc = "How many", defaultValue = "many") int count) {
    }

    /** A component declaring {@link BadDefault}. */
    @Extension
    @Component(name = "toy-broken", description = "A toy filter with a broken settings record",
            settings = BadDefault.class)
    public static class BrokenSettings extends Toys.ToyCaptionFilter {
    }
}
