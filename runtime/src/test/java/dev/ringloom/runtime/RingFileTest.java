package dev.ringloom.runtime;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static java.nio.file.StandardOpenOption.CREATE;
import static org.awaitility.Awaitility.await;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files through io_uring behave like {@link FileChannel}, byte for byte, and fail like it. */
class RingFileTest {
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

    private Path randomFile(int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new SplittableRandom(seed).nextBytes(data);
        Path p = dir.resolve("data-" + seed);
        Files.write(p, data);
        return p;
    }

    @Test
    void randomReadsFromAThousandVirtualThreadsMatchFileChannel() throws Exception {
        Path p = randomFile(8 << 20, 1);
        byte[] expected = Files.readAllBytes(p);
        try (RingFile f = ring.openFile(p); ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 1000; t++) {
                long seed = t;
                fs.add(vts.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    for (int i = 0; i < 20; i++) {
                        int pos = rnd.nextInt(expected.length);
                        int len = 1 + rnd.nextInt(65536);
                        ByteBuffer dst = rnd.nextBoolean() ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len);
                        int n = f.read(dst, pos);
                        int want = Math.min(len, expected.length - pos);
                        assertEquals(want, n, "short read at " + pos);
                        byte[] got = new byte[n];
                        dst.flip().get(got);
                        assertArrayEquals(Arrays.copyOfRange(expected, pos, pos + n), got);
                    }
                    return null;
                }));
            }
            for (Future<?> fu : fs) {
                fu.get();
            }
        }
    }

    @Test
    void randomWritesFromAThousandVirtualThreadsLandWhereFileChannelSeesThem() throws Exception {
        Path p = dir.resolve("written");
        int region = 4096 + 17;  // not page-aligned on purpose
        byte[] expected = new byte[region * 1000];
        new SplittableRandom(7).nextBytes(expected);
        try (RingFile f = ring.openFile(p, WRITE, CREATE); ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 1000; t++) {
                int at = t * region;
                fs.add(vts.submit(() -> {
                    ByteBuffer src = ByteBuffer.wrap(expected, at, region);
                    while (src.hasRemaining()) {
                        f.write(src, src.position());
                    }
                    return null;
                }));
            }
            for (Future<?> fu : fs) {
                fu.get();
            }
            assertEquals(expected.length, f.size());
        }
        try (FileChannel fc = FileChannel.open(p, READ)) {
            ByteBuffer all = ByteBuffer.allocate(expected.length);
            while (all.hasRemaining() && fc.read(all) > 0) {
                // read it all
            }
            assertArrayEquals(expected, all.array());
        }
    }

    @Test
    void sequentialReadAndWriteMoveThePositionLikeFileChannel() throws Exception {
        Path src = randomFile(3 * dev.ringloom.poller.NativeBufferPool.MAX_SIZE + 123, 3);
        Path dst = dir.resolve("copy");
        try (RingFile in = ring.openFile(src); RingFile out = ring.openFile(dst, WRITE, CREATE_NEW)) {
            ByteBuffer buf = ByteBuffer.allocate(100_000);
            while (in.read(buf) != -1) {
                buf.flip();
                out.writeFully(buf);
                buf.clear();
            }
            assertEquals(in.size(), in.position());
            assertEquals(in.size(), out.position());
            out.force();
        }
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
    }

    @Test
    void readAtOrPastEndOfFileReturnsMinusOneAndNearItAShortRead() throws Exception {
        Path p = randomFile(1000, 4);
        try (RingFile f = ring.openFile(p)) {
            assertEquals(-1, f.read(ByteBuffer.allocate(10), 1000));
            assertEquals(-1, f.read(ByteBuffer.allocate(10), 5000));
            assertEquals(10, f.read(ByteBuffer.allocate(100), 990));
            assertEquals(0, f.read(ByteBuffer.allocate(0), 0));
        }
    }

    @Test
    void badInputFailsWithClearExceptions() throws Exception {
        Path p = randomFile(100, 5);
        RingFile f = ring.openFile(p);
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class, () -> f.read(ByteBuffer.allocate(1), -1));
        assertTrue(neg.getMessage().contains("Negative position"));
        assertThrows(IllegalArgumentException.class, () -> f.position(-5));
        assertThrows(IllegalArgumentException.class, () -> f.read(ByteBuffer.allocate(4).asReadOnlyBuffer(), 0));
        assertThrows(IndexOutOfBoundsException.class, () -> f.read(new byte[4], 2, 3));
        assertThrows(NonWritableChannelException.class, () -> f.write(ByteBuffer.allocate(1)));
        f.close();
        f.close(); // a second close is a no-op
        assertFalse(f.isOpen());
        assertThrows(ClosedChannelException.class, () -> f.read(ByteBuffer.allocate(1), 0));
        assertThrows(ClosedChannelException.class, f::size);

        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> ring.openFile(dir.resolve("nope")));
        if (Backends.namesErrnos(ring)) {
            assertTrue(missing.getMessage().contains("ENOENT"), missing.getMessage());
        }
        FileAlreadyExistsException exists = assertThrows(FileAlreadyExistsException.class,
                () -> ring.openFile(p, WRITE, CREATE_NEW));
        if (Backends.namesErrnos(ring)) {
            assertTrue(exists.getMessage().contains("EEXIST"), exists.getMessage());
        }
        IOException isDirWrite = assertThrows(IOException.class, () -> ring.openFile(dir, WRITE));
        if (Backends.namesErrnos(ring)) {
            assertTrue(isDirWrite.getMessage().contains("EISDIR"), isDirWrite.getMessage());
        }
        try (RingFile d = ring.openFile(dir)) {
            IOException isDirRead = assertThrows(IOException.class, () -> d.read(ByteBuffer.allocate(10), 0));
            if (Backends.namesErrnos(ring)) {
                assertTrue(isDirRead.getMessage().contains("EISDIR"), isDirRead.getMessage());
            }
        }
    }

    @Test
    void filesWithoutNonBlockingReadsReadLikeFileChannel() throws Exception {
        // tmpfs and procfs refuse preadv2(RWF_NOWAIT) with EOPNOTSUPP: the reads go through the ring instead
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm");
        Path p = Files.createTempFile(shm, "ringloom-tmpfs", ".bin");
        try {
            byte[] data = new byte[300_000];
            new SplittableRandom(7).nextBytes(data);
            Files.write(p, data);
            try (RingFile f = ring.openFile(p)) {
                SplittableRandom rnd = new SplittableRandom(8);
                for (int i = 0; i < 200; i++) {
                    int pos = rnd.nextInt(data.length), len = 1 + rnd.nextInt(70_000);
                    ByteBuffer dst = i % 2 == 0 ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len);
                    int n = f.read(dst, pos);
                    assertEquals(Math.min(len, data.length - pos), n, "short read at " + pos);
                    byte[] got = new byte[n];
                    dst.flip().get(got);
                    assertArrayEquals(Arrays.copyOfRange(data, pos, pos + n), got);
                }
                assertEquals(-1, f.read(ByteBuffer.allocate(10), data.length));
            }
            try (RingFile out = ring.openFile(p, WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                out.writeFully(ByteBuffer.wrap(data, 0, 100_000));                  // at the position, heap
                ByteBuffer direct = ByteBuffer.allocateDirect(data.length - 100_000);
                direct.put(data, 100_000, data.length - 100_000).flip();
                while (direct.hasRemaining()) {                                      // at an offset, direct
                    direct.position(direct.position() + out.write(direct.slice(), 100_000 + direct.position()));
                }
                assertEquals(100_000, out.position());
                out.force();
            }
            assertArrayEquals(data, Files.readAllBytes(p));
        } finally {
            Files.delete(p);
        }
        try (RingFile d = ring.openFile(shm)) {
            IOException isDir = assertThrows(IOException.class, () -> d.read(ByteBuffer.allocate(10), 0));
            if (Backends.namesErrnos(ring)) {
                assertTrue(isDir.getMessage().contains("EISDIR"), isDir.getMessage());
            }
        }
        Path cmdline = Path.of("/proc/self/cmdline");   // stable while the process lives, unlike /proc/self/status
        byte[] expected = Files.readAllBytes(cmdline);
        try (RingFile f = ring.openFile(cmdline)) {
            for (int i = 0; i < 3; i++) {
                ByteBuffer dst = ByteBuffer.allocate(expected.length + 100);
                assertEquals(expected.length, f.read(dst, 0));
                assertArrayEquals(expected, Arrays.copyOf(dst.array(), expected.length));
            }
        }
    }

    @Test
    void aFileThePageCacheOrMemoryAnswersIsReadAndWrittenWithoutARingOp() throws Exception {
        Backends.assumeIoUring(ring, "ring ops");
        // target/'s file system: reads from the page cache, writes into it on the calling thread
        assertNoRingOps(randomFile(64 << 10, 11), false);
        assertNoRingOps(randomFile(64 << 10, 12), true);
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm");
        Path p = Files.createTempFile(shm, "ringloom-noop", ".bin");
        try {                                                   // tmpfs: pread and pwrite on the calling thread
            Files.write(p, new byte[64 << 10]);
            assertNoRingOps(p, false);                          // the first read finds out
            assertNoRingOps(p, true);                           // so does a first write
            byte[] got = Files.readAllBytes(p);
            assertEquals(99, got[5]);
            assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOfRange(got, 10, 13));
        } finally {
            Files.delete(p);
        }
    }

    /**
     * 100 reads, then 100 writes, of {@code p}: at most a stray ring op or two among them. Eventually: a write the
     * host's scheduler held for over a millisecond counts as one that waited and sends the file's writes to the ring
     * for 50 ms ({@code CallerWrites}); a file that kept them there would fail every try.
     */
    private static void assertNoRingOps(Path p, boolean writeFirst) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertNoRingOpsOnce(p, writeFirst));
    }

    private static void assertNoRingOpsOnce(Path p, boolean writeFirst) throws IOException {
        try (RingFile f = ring.openFile(p, READ, WRITE)) {
            long before = ring.stats().submittedTotal();
            if (writeFirst) {
                assertEquals(3, f.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 10));
            }
            for (int i = 0; i < 100; i++) {
                ByteBuffer dst = i % 2 == 0 ? ByteBuffer.allocate(4096) : ByteBuffer.allocateDirect(4096);
                assertEquals(4096, f.read(dst, 4096L * (i % 16)));
            }
            // writes on the caller: ext4, xfs, btrfs (FileIoPath.PAGE_CACHE) and memory; any other file system's go
            // through the ring
            boolean callerWrites = Set.of("ext4", "xfs", "btrfs", "tmpfs").contains(Files.getFileStore(p).type());
            for (int i = 0; callerWrites && i < 100; i++) {
                ByteBuffer src = i % 2 == 0 ? ByteBuffer.wrap(new byte[] {(byte) i}) : ByteBuffer.allocateDirect(1);
                assertEquals(1, f.write(src.put(0, (byte) i), 5));
            }
            long ringOps = ring.stats().submittedTotal() - before;
            assertTrue(ringOps < 10, p + ": " + ringOps + " ring ops for 100 reads and 100 writes the kernel answers"
                    + " at once");
            ByteBuffer last = ByteBuffer.allocate(1);
            assertEquals(1, f.read(last, 5));
            assertTrue(!callerWrites || last.get(0) == 99, "the writes landed");
        }
    }

    @Test
    void directIoReadsAlignedBlocks() throws Exception {
        Backends.assumeIoUring(ring, "O_DIRECT");
        // target/ is on a disk file system; @TempDir may be tmpfs, which refuses O_DIRECT
        Path p = Files.createTempFile(Files.createDirectories(Path.of("target")), "direct", ".bin");
        byte[] data = new byte[1 << 20];
        new SplittableRandom(6).nextBytes(data);
        Files.write(p, data);
        byte[] expected = data;
        try (RingFile f = ring.openFile(p, StandardOpenOption.READ, RingOpenOption.DIRECT)) {
            ByteBuffer dst = ByteBuffer.allocate(8192);
            assertEquals(8192, f.read(dst, 65536));
            assertArrayEquals(Arrays.copyOfRange(expected, 65536, 65536 + 8192), dst.array());
        } finally {
            Files.delete(p);
        }
    }
}
