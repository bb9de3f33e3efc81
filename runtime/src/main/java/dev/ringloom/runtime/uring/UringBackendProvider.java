package dev.ringloom.runtime.uring;

import dev.ringloom.poller.IoUringUnavailableException;
import dev.ringloom.poller.PollerConfig;
import dev.ringloom.poller.spi.IoBackend;
import dev.ringloom.poller.spi.IoBackendProvider;

import java.io.IOException;

/** Opens the io_uring backend: {@code config.pollers()} pollers, each a platform thread with its ring. */
public final class UringBackendProvider implements IoBackendProvider {
    @Override
    public String name() {
        return "io_uring";
    }

    @Override
    public int preference() {
        return 100;
    }

    /**
     * @throws IoUringUnavailableException when this is not Linux, the FFM bindings to libc cannot load, or the
     *                                     kernel refuses io_uring — saying which
     */
    @Override
    public IoBackend open(PollerConfig config) throws IOException {
        String os = System.getProperty("os.name", "?");
        if (!os.startsWith("Linux")) {
            throw new IoUringUnavailableException("io_uring is Linux-only and this is " + os, 0, null);
        }
        try {
            return UringBackend.open(config);
        } catch (LinkageError e) {
            // libc symbols missing (an unusual libc): the FFM bindings cannot load, so io_uring cannot run
            throw new IoUringUnavailableException("ringloom's libc bindings failed to load: " + e, 0, e);
        }
    }
}
