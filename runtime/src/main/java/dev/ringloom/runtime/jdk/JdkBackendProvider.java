package dev.ringloom.runtime.jdk;

import dev.ringloom.poller.PollerConfig;
import dev.ringloom.poller.spi.IoBackend;
import dev.ringloom.poller.spi.IoBackendProvider;

/** Opens the JDK backend: the JDK's own channels on helper virtual threads; {@code config} does not apply. */
public final class JdkBackendProvider implements IoBackendProvider {
    @Override
    public String name() {
        return "jdk";
    }

    /** The lowest: the fallback under {@code auto}, since it runs wherever the JDK does. */
    @Override
    public int preference() {
        return 0;
    }

    @Override
    public IoBackend open(PollerConfig config) {
        return new JdkBackend();
    }
}
