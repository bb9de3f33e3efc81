package dev.ringloom.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An {@link IoBuffer} is the user's between calls and nobody else's during one: views revoked when it is lent,
 * the handle refusing access while the kernel has it, double release refused, an abandoned call's buffer back in
 * its pool after the kernel's completion, and the bytes the kernel read into it those of the file. The suite runs
 * once per backend.
 */
class IoBufferTest extends WithRing {
    @TempDir
    Path dir;

    private Path fileOf(byte[] data) throws IOException {
        // Under target/, not the temp dir: O_DIRECT needs a disk file system, and /tmp may be tmpfs.
        Path p = Files.createTempFile(Files.createDirectories(Path.of("target")), "owned", ".bin");
        p.toFile().deleteOnExit();
        Files.write(p, data);
        return p;
    }

    @Test
    void aFileReadPutsTheFilesBytesIntoTheBufferAndGivesItBack() throws Exception {
        byte[] data = new byte[1 << 20];
        new SplittableRandom(1).nextBytes(data);
        try (RingFile f = ring.openFile(fileOf(data)); IoBuffer buf = ring.allocate(64 * 1024)) {
            SplittableRandom rnd = new SplittableRandom(2);
            for (int i = 0; i < 200; i++) {
                long pos = rnd.nextInt(data.length);
                IoBuffer back = f.read(buf, pos);
                assertEquals(buf, back, "the same buffer comes back");
                int n = back.length();
                assertEquals(Math.min(64 * 1024, data.length - pos), n);
                byte[] got = new byte[n];
                MemorySegment.copy(back.data(), JAVA_BYTE, 0, got, 0, n);
                assertArrayEquals(Arrays.copyOfRange(data, (int) pos, (int) pos + n), got, "at " + pos);
            }
            assertEquals(0, f.read(buf, data.length).length(), "past the end: no data");
        }
    }

    @Test
    void aFileWriteWritesTheBuffersData() throws Exception {
        Path p = dir.resolve("out");
        try (RingFile f = ring.openFile(p, CREATE, WRITE, READ); IoBuffer buf = ring.allocate(4096)) {
            buf.put(ByteBuffer.wrap("hello, owned".getBytes(UTF_8)));
            assertEquals(12, f.write(buf, 100));
            assertEquals(12, buf.length(), "back, with its data");
        }
        byte[] all = Files.readAllBytes(p);
        assertEquals("hello, owned", new String(all, 100, 12, UTF_8));
    }

    @Test
    void viewsTakenBeforeACallAreRevokedByIt() throws Exception {
        try (RingFile f = ring.openFile(fileOf("abcdef".getBytes(UTF_8))); IoBuffer buf = ring.allocate(4096)) {
            MemorySegment before = buf.segment();
            ByteBuffer asBuffer = buf.segment().asByteBuffer();
            f.read(buf, 0);
            assertThrows(IllegalStateException.class, () -> before.get(JAVA_BYTE, 0));
            assertThrows(IllegalStateException.class, () -> asBuffer.get(0));
            assertEquals('a', buf.segment().get(JAVA_BYTE, 0), "a fresh view works");
        }
    }

    @Test
    void whileASocketReadHasTheBufferItsHandleRefusesAccess() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        IoBuffer buf = ring.allocate(4096);
        try {
            AtomicReference<IoBuffer> got = new AtomicReference<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    got.set(p[1].read(buf));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            await().until(() -> reader.getState() == Thread.State.WAITING);
            assertThrows(IllegalStateException.class, buf::length);
            assertThrows(IllegalStateException.class, buf::segment);
            assertThrows(IllegalStateException.class, buf::close, "lent: not even close");
            RingSocketTest.writeString(p[0], "ping");
            reader.join();
            assertEquals("ping", UTF_8.decode(got.get().byteBuffer()).toString());
            assertEquals(4, p[1].write(buf).length(), "and written back from it");
            assertEquals("ping", RingSocketTest.readString(p[0], 4));
        } finally {
            p[0].close();
            p[1].close();
            buf.close();
        }
    }

    @Test
    void releaseIsOnceAndUseAfterReleaseThrows() {
        IoBuffer buf = ring.allocate(100);
        assertEquals(100, buf.capacity());
        buf.close();
        assertTrue(buf.isReleased());
        assertThrows(IllegalStateException.class, buf::close);
        assertThrows(IllegalStateException.class, buf::segment);
        assertThrows(IllegalStateException.class, () -> buf.length(1));
        assertThrows(IllegalArgumentException.class, () -> ring.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> ring.allocate((1 << 20) + 1));
    }

    @Test
    void everyBufferOfAbandonedReadsGoesBackToItsPool() throws Throwable {
        byte[] data = new byte[8 << 20];
        new SplittableRandom(3).nextBytes(data);
        Path file = fileOf(data);
        long before = ring.ownedBuffersOutstanding();
        List<Integer> abandoned = new ArrayList<>();
        // On io_uring, data in the page cache is read synchronously (preadv2 RWF_NOWAIT), which no interrupt can
        // abandon: O_DIRECT sends every read through the ring. The JDK backend reads a file on the caller through a
        // channel that ignores interrupts (the suite exports sun.nio.ch): nothing to abandon. Without that export
        // a file open for writing is read on a helper, whose abandoned reads this checks.
        boolean direct = !ring.backendName().equals("jdk");
        assumeTrue(direct || !Backends.jdkFileIoOnCaller(), "the JDK backend's file reads run on the caller: none is abandoned");
        try (RingFile f = direct ? ring.openFile(file, READ, RingOpenOption.DIRECT)
                : ring.openFile(file, READ, java.nio.file.StandardOpenOption.WRITE)) {
            RandomInterrupts.run(20_000, interrupts -> {
                SplittableRandom rnd = new SplittableRandom(4);
                IoBuffer buf = ring.allocate(256 * 1024);
                try {
                    for (int round = 1; round <= 20_000; round++) {
                        long pos = direct ? 4096L * rnd.nextInt(data.length / 4096) : rnd.nextInt(data.length);
                        interrupts.announced.set(round);
                        try {
                            f.read(buf, pos);
                        } catch (InterruptedIOException e) {
                            if (buf.isOwned()) {
                                continue;               // interrupted before the read began: nothing was lent
                            }
                            abandoned.add(round);
                            assertThrows(IllegalStateException.class, buf::length, "an abandoned buffer is gone");
                            buf = ring.allocate(256 * 1024);
                            continue;
                        } finally {
                            interrupts.announced.set(-round);
                            Thread.interrupted();
                        }
                        int n = buf.length();
                        assertEquals(data[(int) pos], buf.segment().get(JAVA_BYTE, 0));
                        assertEquals(data[(int) pos + n - 1], buf.segment().get(JAVA_BYTE, n - 1));
                    }
                } finally {
                    buf.close();
                }
            });
        }
        assertTrue(!abandoned.isEmpty(), "no read was interrupted: the test checked nothing");
        await().until(() -> ring.ownedBuffersOutstanding() == before);
    }
}
