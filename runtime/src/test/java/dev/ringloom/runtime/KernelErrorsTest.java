package dev.ringloom.runtime;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every errno we can provoke reaches the caller as a clear exception, and the runtime keeps working. */
class KernelErrorsTest {
    static Ringloom ring;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        ring = Ringloom.open();
    }

    @AfterAll
    static void stop() {
        ring.close();
    }

    @AfterEach
    void theRuntimeStillWorks() throws IOException {
        Path ok = dir.resolve("ok");
        Files.writeString(ok, "fine");
        try (RingFile f = ring.openFile(ok)) {
            ByteBuffer b = ByteBuffer.allocate(8);
            assertEquals(4, f.read(b, 0));
        }
        assertEquals(0, ring.inFlight());
        assertEquals(0, ring.registrySize());
    }

    private void assertErrno(String errno, IOException e) {
        assertTrue(e.getMessage().contains(errno), () -> "expected " + errno + " in: " + e.getMessage());
    }

    @Test
    void pathErrorsNameTheErrnoAndThePath() throws IOException {
        Backends.assumeIoUring(ring, "errno names in messages (the JDK words its own)");
        Path file = dir.resolve("plain");
        Files.writeString(file, "x");
        FileSystemException notDir = assertThrows(FileSystemException.class, () -> ring.openFile(file.resolve("child")));
        assertTrue(notDir.getMessage().contains("plain"), notDir.getMessage());
        assertErrno("ENOTDIR", notDir);
        assertErrno("ENAMETOOLONG", assertThrows(FileSystemException.class,
                () -> ring.openFile(dir.resolve("n".repeat(300)))));
        Path loop = dir.resolve("loop");
        Files.createSymbolicLink(loop, loop);
        assertErrno("ELOOP", assertThrows(FileSystemException.class, () -> ring.openFile(loop)));
        assertThrows(InvalidPathException.class, () -> ring.openFile(Path.of("/tmp").resolve("a").getFileSystem().getPath("/tmp/a\0b")));
    }

    @Test
    void misalignedDirectIoIsEinval() throws IOException {
        Backends.assumeIoUring(ring, "O_DIRECT");
        Path p = Files.createTempFile(Files.createDirectories(Path.of("target")), "misaligned", ".bin");
        try {
            Files.write(p, new byte[65536]);
            try (RingFile f = ring.openFile(p, StandardOpenOption.READ, RingOpenOption.DIRECT)) {
                IOException e = assertThrows(IOException.class, () -> f.read(ByteBuffer.allocate(100), 1));
                assertErrno("EINVAL", e);
                assertErrno("read(", e);
            }
        } finally {
            Files.delete(p);
        }
    }

    @Test
    void writingToAPipeWhoseReaderIsGoneIsEpipe() throws IOException {
        Backends.assumeIoUring(ring, "errno names in messages (the JDK words its own)");
        RingFile[] pipe = ring.pipe();
        pipe[0].close();
        assertErrno("EPIPE", assertThrows(IOException.class, () -> pipe[1].write(ByteBuffer.allocate(10))));
        pipe[1].close();
    }

    @Test
    void positionalCallsOnAStreamAreRefused() throws IOException {
        RingFile[] pipe = ring.pipe();
        assertTrue(pipe[0].isStream());
        assertThrows(UnsupportedOperationException.class, () -> pipe[0].read(ByteBuffer.allocate(1), 0));
        assertThrows(UnsupportedOperationException.class, pipe[0]::size);
        pipe[0].close();
        pipe[1].close();
    }
}
