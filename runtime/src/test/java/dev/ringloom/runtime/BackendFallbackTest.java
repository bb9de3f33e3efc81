package dev.ringloom.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Where the kernel refuses io_uring, the same API runs on the JDK's IO and says so once. */
class BackendFallbackTest {

    @Test
    void aKernelThatRefusesIoUringWithEpermGetsTheJdkBackendAndOneInfoLineSayingWhy() throws Exception {
        assumeTrue("amd64".equals(System.getProperty("os.arch")), "the seccomp filter is written for x86_64");
        Path out = Files.createTempFile("ringloom-child", ".out"), err = Files.createTempFile("ringloom-child", ".err");
        try {
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process child = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED",
                    "--sun-misc-unsafe-memory-access=allow", "-Dringloom.backend=auto",
                    "-cp", System.getProperty("java.class.path"), SeccompChild.class.getName()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child JVM hung");
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertEquals(0, child.exitValue(), stdout + stderr);
            assertTrue(stdout.contains("backend=jdk read=through the fallback"), stdout + stderr);
            long lines = stderr.lines().filter(l -> l.contains("ringloom runs on the jdk backend")).count();
            assertEquals(1, lines, stderr);
            assertTrue(stderr.contains("EPERM"), stderr);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
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
            assertEquals(null, ring.pollers());
        }
    }
}
