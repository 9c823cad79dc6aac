package io.assay.framework.engines;

import io.assay.sdk.ErrorCode;
import io.assay.sdk.StageException;
import java.util.ServiceLoader;

/** Finds an engine by name on the class path (the launcher adds {@code lib/<name>/} when {@code --engine} asks). */
public final class Engines {

    private Engines() {
    }

    /**
     * The engine called {@code name}.
     *
     * @throws StageException naming the missing directory when the engine is not on the class path
     */
    public static ScaleEngine find(String name) {
        // The core's own loader (bin/assay puts lib/<name>/ on the class path), then the thread's (spark-submit loads
        // the application jar in a child class loader).
        for (ClassLoader loader : new ClassLoader[] {Engines.class.getClassLoader(),
                Thread.currentThread().getContextClassLoader()}) {
            if (loader == null) {
                continue;
            }
            for (ScaleEngine e : ServiceLoader.load(ScaleEngine.class, loader)) {
                if (e.name().equals(name)) {
                    return e;
                }
            }
        }
        String home = System.getProperty("assay.home");
        throw new StageException(ErrorCode.INVALID_INPUT, "the " + name + " engine is not installed: "
                + (home == null ? "lib/" + name : home + "/lib/" + name) + " is missing or was not put on the class "
                + "path (run the distribution's bin/assay, which adds it for --engine " + name + ")");
    }
}
