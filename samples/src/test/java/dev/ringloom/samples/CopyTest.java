package dev.ringloom.samples;

import dev.ringloom.runtime.Ringloom;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The copy sample moves a 1 GiB file through io_uring without changing a byte. */
class CopyTest {
    @Test
    void aOneGibibyteCopyHasTheSourcesSha256() throws Exception {
        // target/ rather than /tmp: 2 GiB should not land in a RAM-backed tmpfs
        Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "copy");
        Path src = dir.resolve("src"), dst = dir.resolve("dst");
        try (Ringloom ring = Ringloom.open()) {
            byte[] chunk = new byte[1 << 20];
            SplittableRandom rnd = new SplittableRandom(99);
            try (var out = Files.newOutputStream(src)) {
                for (int i = 0; i < 1024; i++) {
                    rnd.nextBytes(chunk);
                    out.write(chunk);
                }
            }
            assertEquals(1L << 30, Copy.copy(ring, src, dst));
            assertEquals(Files.size(src), Files.size(dst));
            assertEquals(Demo.sha256(src), Demo.sha256(dst));
        } finally {
            Files.deleteIfExists(src);
            Files.deleteIfExists(dst);
            Files.deleteIfExists(dir);
        }
    }
}
