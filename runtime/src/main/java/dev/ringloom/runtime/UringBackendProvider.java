package dev.ringloom.runtime;

import dev.ringloom.poller.PollerConfig;
import dev.ringloom.poller.spi.IoBackend;
import dev.ringloom.poller.spi.IoBackendProvider;

import java.io.IOException;

/** Opens the io_uring backend: {@code config.pollers()} pollers, each a platform thread with its ring. */
final class UringBackendProvider implements IoBackendProvider {
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
