package io.assay.framework.host;

import io.assay.sdk.SdkVersion;
import java.nio.file.Path;
import org.pf4j.ClassLoadingStrategy;
import org.pf4j.CompoundPluginLoader;
import org.pf4j.DefaultPluginLoader;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginClassLoader;
import org.pf4j.PluginDescriptor;
import org.pf4j.PluginLoader;

/**
 * A PF4J manager for exactly one {@link PluginVersion} (one version of one plugin, in its own root directory). One
 * manager per version is what lets two versions of the same plugin id live side by side — the old one pinned by runs
 * in flight, the new one serving new runs — which a single PF4J manager cannot do.
 *
 * <p>Its class loader is child-first (PF4J's PDA) except for the {@link SharedPackages}, which always come from the
 * host, so a plugin that bundles them anyway still links against the host's SDK and ONNX Runtime.
 */
final class PluginVersionManager extends DefaultPluginManager {

    PluginVersionManager(Path root) {
        super(root);
        setSystemVersion(SdkVersion.VERSION.replaceFirst("-.*$", ""));
    }

    @Override
    protected PluginLoader createPluginLoader() {
        return new CompoundPluginLoader().add(new DefaultPluginLoader(this) {
            @Override
            protected PluginClassLoader createPluginClassLoader(Path pluginPath, PluginDescriptor descriptor) {
                return new PluginClassLoader(pluginManager, descriptor, PluginVersionManager.class.getClassLoader(),
                        ClassLoadingStrategy.PDA) {
                    @Override
                    protected boolean shouldDelegateToParent(String className) {
                        return SharedPackages.isShared(className) || super.shouldDelegateToParent(className);
                    }
                };
            }
        });
    }
}
