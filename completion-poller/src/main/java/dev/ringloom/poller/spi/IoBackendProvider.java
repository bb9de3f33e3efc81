package dev.ringloom.poller.spi;

import java.io.IOException;

/**
 * Makes a backend that is not built in (a Windows IOCP one, say) available to ringloom: register an
 * implementation with {@link java.util.ServiceLoader} ({@code provides ... with ...}) and select it with
 * {@code -Dringloom.backend=<name>}.
 */
public interface IoBackendProvider {
    /** The name {@code ringloom.backend} selects it by. */
    String name();

    /**
     * Opens the backend.
     *
     * @throws IOException if this machine cannot run it (the message says why)
     */
    IoBackend open() throws IOException;
}
