package io.assay.framework.host;

/** Sets the thread-context class loader for a block (try-with-resources) and restores it. */
public final class ContextClassLoaderSwap implements AutoCloseable {

    private final Thread thread = Thread.currentThread();
    private final ClassLoader previous;

    /** Swaps in {@code loader}. */
    public ContextClassLoaderSwap(ClassLoader loader) {
        previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
    }

    @Override
    public void close() {
        thread.setContextClassLoader(previous);
    }
}
