package dev.ringloom.poller.spi;

import dev.ringloom.poller.PollerConfig;

import java.io.IOException;

/**
 * A way to open a backend; the runtime only ever picks one of these. ringloom's own two ({@code io_uring},
 * {@code jdk}) are built in; one that is not (a Windows IOCP backend, say) registers with
 * {@link java.util.ServiceLoader} ({@code provides ... with ...}) and is selected with
 * {@code -Dringloom.backend=<name>}. Stateless and thread-safe.
 */
public interface IoBackendProvider {
    /** The name {@code ringloom.backend} selects it by. */
    String name();

    /**
     * Opens the backend.
     *
     * @param config the runtime's sizing: a backend uses what applies to it (event loops, queue depths, buffers)
     * @throws IOException if this machine cannot run it (the message says why); a
     *                     {@link dev.ringloom.poller.IoUringUnavailableException} lets {@code auto} fall back
     */
    IoBackend open(PollerConfig config) throws IOException;
}
