package dev.ringloom.runtime;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The suite runs on every backend (-Dringloom.backend); these tests state what only io_uring promises. */
final class Backends {
    private Backends() {
    }

    /** True if the backend's messages carry errno names (io_uring's do; the JDK words its own). */
    static boolean namesErrnos(Ringloom ring) {
        return "io_uring".equals(ring.backendName());
    }

    /**
     * True if the JDK backend does a file's IO on the caller: java.base exports sun.nio.ch to the runtime, so its
     * channels can ignore interrupts (the suite's JVM options do; a child JVM's need not).
     */
    static boolean jdkFileIoOnCaller() {
        return Object.class.getModule().isExported("sun.nio.ch", RingFile.class.getModule());
    }

    /** Skips the calling test off io_uring, saying which property only io_uring has. */
    static void assumeIoUring(Ringloom ring, String onlyIoUring) {
        assumeTrue("io_uring".equals(ring.backendName()), "io_uring backend only: " + onlyIoUring);
    }
}
