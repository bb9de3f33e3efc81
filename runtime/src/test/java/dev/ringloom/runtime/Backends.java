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

    /** Skips the calling test off io_uring, saying which property only io_uring has. */
    static void assumeIoUring(Ringloom ring, String onlyIoUring) {
        assumeTrue("io_uring".equals(ring.backendName()), "io_uring backend only: " + onlyIoUring);
    }
}
