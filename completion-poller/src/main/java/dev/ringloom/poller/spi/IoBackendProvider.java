package dev.ringloom.poller.spi;

import dev.ringloom.poller.PollerConfig;

import java.io.IOException;

/**
 * A way to open a backend; the runtime only ever picks one of these, found through {@link java.util.ServiceLoader}
 * ({@code provides ... with ...} in a module, {@code META-INF/services} on the class path). ringloom's own two,
 * {@code io_uring} and {@code jdk}, register the same way as any other (a Windows IOCP backend, say). Under
 * {@code ringloom.backend=auto} the runtime opens the most {@link #preference() preferred} provider that can run
 * here; {@code -Dringloom.backend=<name>} selects one by name. Stateless and thread-safe.
 */
public interface IoBackendProvider {
    /** The name {@code ringloom.backend} selects it by. */
    String name();

    /**
     * Its rank under {@code auto}: higher is tried first. The JDK backend, which runs everywhere, has the lowest
     * (0); io_uring 100.
     */
    int preference();

    /**
     * Opens the backend.
     *
     * @param config the runtime's sizing: a backend uses what applies to it (event loops, queue depths, buffers)
     * @throws BackendUnavailableException if this machine cannot run it (the message says why): {@code auto} then
     *                                     tries the next provider
     * @throws IOException                 if it could run but failed to start
     */
    IoBackend open(PollerConfig config) throws IOException;
}
