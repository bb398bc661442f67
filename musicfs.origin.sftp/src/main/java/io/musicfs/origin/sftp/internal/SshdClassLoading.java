package io.musicfs.origin.sftp.internal;

/**
 * Runs SSHD code with this bundle's class loader as the thread context class loader. SSHD looks
 * classes up by name through the context loader first (security provider registrars, the
 * BouncyCastle and net.i2p probes, its I/O factory through {@link java.util.ServiceLoader}); inside
 * OSGi that loader is whatever the calling thread brought (often the launcher's), which could show
 * SSHD other copies of those classes. SSHD's own threads, created while this runs, inherit it.
 */
final class SshdClassLoading {

    /** Work that may throw a checked exception of one type. */
    @FunctionalInterface
    interface Work<T, E extends Exception> {
        T run() throws E;
    }

    private SshdClassLoading() {
    }

    static <T, E extends Exception> T call(Work<T, E> work) throws E {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(SshdClassLoading.class.getClassLoader());
        try {
            return work.run();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
