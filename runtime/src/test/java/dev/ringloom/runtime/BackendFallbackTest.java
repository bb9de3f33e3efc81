package dev.ringloom.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Where the kernel refuses io_uring, the same API runs on the JDK's IO and says so once. */
class BackendFallbackTest {

    @Test
    void aKernelThatRefusesIoUringWithEpermGetsTheJdkBackendAndOneInfoLineSayingWhy() throws Exception {
        assumeTrue("amd64".equals(System.getProperty("os.arch")), "the seccomp filter is written for x86_64");
        ChildJvm.Output o = ChildJvm.run(SeccompChild.class, "-Dringloom.backend=auto");
        assertTrue(o.stdout().contains("backend=jdk read=through the fallback"), o.both());
        long lines = o.stderr().lines().filter(l -> l.contains("ringloom runs on the jdk backend")).count();
        assertEquals(1, lines, o.stderr());
        assertTrue(o.stderr().contains("EPERM"), o.stderr());
    }

    @Test
    void anUnknownBackendNameIsRefusedWithTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ringloom.open(dev.ringloom.poller.PollerConfig.defaults(), "iocp"));
        assertTrue(e.getMessage().contains("auto, io_uring, jdk"), e.getMessage());
    }

    @Test
    void theJdkBackendCanBeChosenByName() throws IOException {
        try (Ringloom ring = Ringloom.open(dev.ringloom.poller.PollerConfig.defaults(), "jdk")) {
            assertEquals("jdk", ring.backendName());
            assertEquals(0, ring.stats().eventLoops(), "no pollers");
            assertEquals("jdk", ring.stats().backend());
        }
    }
}
