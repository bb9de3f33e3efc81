package dev.ringloom.runtime;

import dev.ringloom.poller.PollerConfig;
import dev.ringloom.poller.sys.NativeMemory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Owned buffers that fit a registered slot are read and written as the kernel's fixed buffers ({@code READ_FIXED},
 * {@code WRITE_FIXED}): the same bytes as ordinary reads and writes, buffered and O_DIRECT; buffers bigger than a
 * slot, or allocated while every slot is out, work as ordinary ones; each slot comes back when its buffer is
 * closed, also after an abandoned read's completion; a buffer may outlive its runtime; and a kernel that refuses
 * the registration leaves the same calls working. io_uring only: the JDK backend has no fixed buffers.
 */
class RegisteredBuffersTest {
    static final int SLOTS = 16, SLOT = 64 * 1024;
    static Ringloom registered, plain;
    static byte[] data;
    static Path file;

    @BeforeAll
    static void open() throws IOException {
        registered = Ringloom.open(PollerConfig.defaults().withRegisteredBuffers(SLOTS, SLOT));
        plain = Ringloom.open(PollerConfig.defaults().withRegisteredBuffers(0, SLOT));
        data = new byte[8 << 20];
        new SplittableRandom(11).nextBytes(data);
        // Under target/, not the temp dir: O_DIRECT needs a disk file system, and /tmp may be tmpfs.
        file = Files.createTempFile(Files.createDirectories(Path.of("target")), "registered", ".bin");
        Files.write(file, data);
    }

    @AfterAll
    static void close() throws IOException {
        registered.close();
        plain.close();
        Files.deleteIfExists(file);
    }

    private static long fixedOps() {
        return registered.stats().fixedBufferOpsTotal();
    }

    private static byte[] bytesOf(IoBuffer buf) {
        byte[] got = new byte[buf.length()];
        MemorySegment.copy(buf.data(), JAVA_BYTE, 0, got, 0, got.length);
        return got;
    }

    @Test
    void theRegisteredMemoryIsPinnedOncePerRing() {
        Backends.assumeIoUring(registered, "registered buffers");
        assertEquals((long) SLOTS * SLOT * registered.stats().eventLoops(), registered.stats().registeredBufferBytes());
        assertEquals(0, plain.stats().registeredBufferBytes());
    }

    /**
     * Reads that reach the ring. Data in the page cache is read with a synchronous {@code preadv2(RWF_NOWAIT)} into
     * the buffer and never reaches it, so these read with O_DIRECT.
     */
    private static RingFile direct(Ringloom r) throws IOException {
        return r.openFile(file, StandardOpenOption.READ, RingOpenOption.DIRECT);
    }

    @Test
    void fixedReadsReadTheSameBytesAsOrdinaryReads() throws Exception {
        Backends.assumeIoUring(registered, "registered buffers");
        long before = fixedOps();
        SplittableRandom rnd = new SplittableRandom(3);
        try (RingFile fixed = direct(registered); RingFile ordinary = direct(plain)) {
            for (int i = 0; i < 300; i++) {
                int capacity = 4096 * (1 + rnd.nextInt(SLOT / 4096));
                long pos = 4096L * rnd.nextInt(data.length / 4096);
                try (IoBuffer a = registered.allocate(capacity); IoBuffer b = plain.allocate(capacity)) {
                    byte[] viaFixed = bytesOf(fixed.read(a, pos)), viaPlain = bytesOf(ordinary.read(b, pos));
                    int n = (int) Math.min(capacity, data.length - pos);
                    assertArrayEquals(Arrays.copyOfRange(data, (int) pos, (int) pos + n), viaFixed, "at " + pos);
                    assertArrayEquals(viaPlain, viaFixed, "at " + pos);
                }
            }
        }
        assertEquals(300, fixedOps() - before, "every read went through a registered slot");
        assertEquals(0, plain.stats().fixedBufferOpsTotal());
    }

    /**
     * Writes that reach the ring: a write into the page cache is a {@code pwrite} on the calling thread, which
     * needs no registered slot, so these write with O_DIRECT, in whole blocks.
     */
    @Test
    void fixedWritesWriteTheBuffersData() throws Exception {
        Backends.assumeIoUring(registered, "registered buffers");
        Path out = Files.createTempFile(Files.createDirectories(Path.of("target")), "written", ".bin");  // not tmpfs
        byte[] model = new byte[1 << 20];
        long before = fixedOps();
        SplittableRandom rnd = new SplittableRandom(5);
        try (RingFile f = registered.openFile(out, WRITE, READ, RingOpenOption.DIRECT);
             IoBuffer buf = registered.allocate(SLOT)) {
            for (int i = 0; i < 200; i++) {
                byte[] chunk = new byte[4096 * (1 + rnd.nextInt(SLOT / 4096))];
                rnd.nextBytes(chunk);
                int pos = 4096 * rnd.nextInt((model.length - chunk.length) / 4096);
                buf.put(ByteBuffer.wrap(chunk));
                assertEquals(chunk.length, f.write(buf, pos));
                System.arraycopy(chunk, 0, model, pos, chunk.length);
            }
        }
        byte[] written = Files.readAllBytes(out);
        Files.delete(out);
        assertArrayEquals(Arrays.copyOf(model, written.length), written);
        assertEquals(200, fixedOps() - before);
    }

    @Test
    void buffersThatFindNoSlotAreOrdinaryAndWorkTheSame() throws Exception {
        Backends.assumeIoUring(registered, "registered buffers");
        List<IoBuffer> all = new ArrayList<>();
        try (RingFile f = direct(registered)) {
            for (int i = 0; i < SLOTS; i++) {
                all.add(registered.allocate(4096));
            }
            IoBuffer beyondTheSlots = registered.allocate(4096), biggerThanASlot = registered.allocate(2 * SLOT);
            long before = fixedOps();
            assertArrayEquals(Arrays.copyOfRange(data, 4096, 8192), bytesOf(f.read(beyondTheSlots, 4096)));
            assertArrayEquals(Arrays.copyOfRange(data, 8192, 8192 + 2 * SLOT), bytesOf(f.read(biggerThanASlot, 8192)));
            assertEquals(0, fixedOps() - before, "neither is registered memory");
            for (IoBuffer b : all) {
                f.read(b, 0);
            }
            assertEquals(SLOTS, fixedOps() - before, "each of the slots' buffers is");
            beyondTheSlots.close();
            biggerThanASlot.close();
        } finally {
            all.forEach(IoBuffer::close);
        }
        assertEquals(0, registered.ownedBuffersOutstanding());
    }

    @Test
    void interruptedFixedReadsGiveEverySlotBackOnceTheKernelIsDone() throws Exception {
        Backends.assumeIoUring(registered, "registered buffers");
        long adoptedBefore = registered.stats().abandonedTotal();
        AtomicLong completed = new AtomicLong(), interrupted = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (RingFile f = direct(registered)) {
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < SLOTS; t++) {
                long seed = t;
                readers.add(Thread.ofVirtual().start(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    IoBuffer buf = registered.allocate(8192);
                    try {
                        for (int i = 0; i < 1000; i++) {
                            long pos = (long) rnd.nextInt(data.length / 8192) * 8192;
                            try {
                                byte[] got = bytesOf(f.read(buf, pos));
                                assertArrayEquals(Arrays.copyOfRange(data, (int) pos, (int) pos + 8192), got);
                                completed.incrementAndGet();
                            } catch (InterruptedIOException e) {
                                assertTrue(Thread.interrupted(), "the interrupt status stays set");
                                interrupted.incrementAndGet();
                                if (!buf.isOwned()) {      // abandoned in the kernel, not refused before it
                                    buf = registered.allocate(8192);
                                }
                            }
                        }
                        buf.close();
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            SplittableRandom rnd = new SplittableRandom(6);
            while (readers.stream().anyMatch(Thread::isAlive)) {
                readers.get(rnd.nextInt(readers.size())).interrupt();
                for (int spin = rnd.nextInt(20_000); spin > 0; spin--) {
                    Thread.onSpinWait();
                }
            }
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(registered.stats().abandonedTotal() > adoptedBefore, "no interrupt reached a read in the kernel ("
                + completed + " completed, " + interrupted + " interrupted)");
        await().atMost(Duration.ofSeconds(10)).until(() -> registered.ownedBuffersOutstanding() == 0);
        List<IoBuffer> again = new ArrayList<>();
        long before = fixedOps();
        try (RingFile f = direct(registered)) {
            for (int i = 0; i < SLOTS; i++) {
                again.add(registered.allocate(SLOT));
                f.read(again.getLast(), 0);
            }
        } finally {
            again.forEach(IoBuffer::close);
        }
        assertEquals(SLOTS, fixedOps() - before, "every slot came back");
    }

    @Test
    void aBufferOutlivesItsRuntimeAndItsCloseFreesTheRegisteredMemory() throws Exception {
        Backends.assumeIoUring(registered, "registered buffers");
        Ringloom r = Ringloom.open(PollerConfig.defaults().withRegisteredBuffers(4, SLOT));
        IoBuffer buf = r.allocate(SLOT);
        try (RingFile f = r.openFile(file)) {
            f.read(buf, 0);
        }
        r.close();
        assertArrayEquals(Arrays.copyOf(data, SLOT), bytesOf(buf), "the memory is still the user's");
        buf.put(ByteBuffer.wrap(new byte[]{1, 2, 3}));
        long reserved = NativeMemory.reservedBytes();
        buf.close();
        assertTrue(reserved - NativeMemory.reservedBytes() >= 4L * SLOT, "the last slot back freed the slab");
    }

    /** The child: a kernel that refuses the registration (RLIMIT_MEMLOCK, no CAP_IPC_LOCK). */
    public static final class RefusedChild {
        public static void main(String[] args) throws Exception {
            Path p = Path.of(System.getProperty("file"));
            try (Ringloom r = Ringloom.open(PollerConfig.defaults().withRegisteredBuffers(64, SLOT));
                 RingFile f = r.openFile(p); IoBuffer buf = r.allocate(SLOT)) {
                byte[] want = Arrays.copyOf(Files.readAllBytes(p), SLOT);
                boolean same = Arrays.equals(want, bytesOf(f.read(buf, 0)));
                System.out.println("backend=" + r.backendName() + " pinned=" + r.stats().registeredBufferBytes()
                        + " fixed=" + r.stats().fixedBufferOpsTotal() + " same=" + same);
            }
        }
    }

    @Test
    void aKernelThatRefusesTheRegistrationLeavesOwnedBuffersWorking() throws Exception {
        Backends.assumeIoUring(registered, "registered buffers");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/prlimit")),
                "needs setpriv and prlimit (util-linux)");
        // Without CAP_IPC_LOCK, 4 MiB of pinned pages exceed a 1 MiB RLIMIT_MEMLOCK: io_uring_register answers ENOMEM.
        ChildJvm.Output out = ChildJvm.runUnder(List.of("/usr/bin/setpriv", "--bounding-set=-ipc_lock",
                "--inh-caps=-ipc_lock", "/usr/bin/prlimit", "--memlock=1048576:1048576"), RefusedChild.class,
                "-Dringloom.backend=io_uring", "-Dfile=" + file.toAbsolutePath());
        assertTrue(out.stdout().contains("backend=io_uring pinned=0 fixed=0 same=true"), out.both());
        assertTrue(out.stderr().contains("refused registered buffers (ENOMEM"), out.both());
    }
}
