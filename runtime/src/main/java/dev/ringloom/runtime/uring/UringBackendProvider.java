package dev.ringloom.runtime.uring;

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

    /** @throws dev.ringloom.poller.IoUringUnavailableException when the kernel refuses io_uring, saying why */
    @Override
    public IoBackend open(PollerConfig config) throws IOException {
        return UringBackend.open(config);
    }
}
