package dev.ringloom.poller.spi;

import java.io.IOException;

/**
 * A backend cannot run in this process, with the reason in words a user can act on. Under
 * {@code ringloom.backend=auto} the runtime then tries the next {@link IoBackendProvider} (the JDK backend, which
 * always runs) and logs this reason once; a backend selected by name fails with it.
 */
public class BackendUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param reason why the backend cannot run here, in a sentence for the log
     * @param cause  what the backend met while it tried, or null
     */
    public BackendUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
