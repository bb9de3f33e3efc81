package dev.ringloom.runtime;

import dev.ringloom.poller.PollerConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK backend keeps io_uring's write rule although the JDK has no cancel and closes a channel whose blocked
 * caller is interrupted (RingSocket's and RingFile's Javadoc, "On the JDK backend"): a writer blocked because nobody
 * reads returns promptly when interrupted, the stream stays open, and {@code bytesTransferred} is exactly what the
 * reader gets before the next write — ordered, unmixed and free of repeats.
 */
class JdkBackendTest {

    /** Ends the stream for the reader once the writer is done (shutdownOutput, close). */
    private interface EndOfStream {
        void end() throws Exception;
    }

    /**
     * A writer sends {@code size} bytes to a reader that reads nothing yet, is interrupted while blocked, then
     * writes "END" and ends the stream. The interrupt must end its wait although nobody reads; afterwards the
     * reader must see exactly the bytes reported transferred, in order, then "END".
     */
    private static void interruptABlockedWriter(WritableByteChannel out, EndOfStream end,
                                                ReadableByteChannel in, int size) throws Exception {
        byte[] data = new byte[size];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i % 251);
        }
        AtomicLong transferred = new AtomicLong(-1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch interrupted = new CountDownLatch(1);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                try {
                    ByteBuffer all = ByteBuffer.wrap(data);
                    while (all.hasRemaining()) {
                        out.write(all);
                    }
                    failure.set(new AssertionError(size + " bytes went out to a reader that does not read"));
                } catch (InterruptedIOException e) {
                    Thread.interrupted();
                    transferred.set(e.bytesTransferred);
                }
                interrupted.countDown();
                out.write(ByteBuffer.wrap("END".getBytes(StandardCharsets.US_ASCII)));
                end.end();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                interrupted.countDown();
            }
        });
        // The reader reads nothing yet: the writer blocks once the buffers in between are full.
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.getState() == Thread.State.WAITING);
        writer.interrupt();
        interrupted.await();        // returns although the reader still reads nothing: prompt
        assertEquals(null, failure.get());

        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        int n;
        while ((n = in.read(buf.clear())) >= 0) {
            got.write(buf.array(), 0, n);
        }
        writer.join();
        assertEquals(null, failure.get());

        byte[] all = got.toByteArray();
        long confirmed = transferred.get();
        assertTrue(confirmed > 0, "the kernel took some before the writer blocked: " + confirmed);
        assertEquals(confirmed + 3, all.length, "bytesTransferred is exactly what went out before END");
        assertArrayEquals(Arrays.copyOf(data, all.length - 3), Arrays.copyOf(all, all.length - 3),
                "the data's prefix, in order, then the next write");
        assertEquals("END", new String(all, all.length - 3, 3, StandardCharsets.US_ASCII));
    }

    @Test
    void anInterruptedWriterReturnsPromptlyAndReportsExactlyTheBytesThatGoOutBeforeTheNextWrite() throws Exception {
        try (Ringloom jdk = Ringloom.open(PollerConfig.defaults(), "jdk")) {
            RingSocket[] p = RingSocketTest.pair(jdk, InetAddress.getLoopbackAddress());
            interruptABlockedWriter(p[0], p[0]::shutdownOutput, p[1], 16 << 20);
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void anInterruptedPipeWriterReturnsPromptlyAndReportsExactlyTheBytesThatGoOutBeforeTheNextWrite() throws Exception {
        try (Ringloom jdk = Ringloom.open(PollerConfig.defaults(), "jdk")) {
            RingFile[] pipe = jdk.pipe();
            // 1 MiB: far more than a pipe holds, so the write blocks
            interruptABlockedWriter(pipe[1], pipe[1]::close, pipe[0], 1 << 20);
            pipe[0].close();
        }
    }

    /** The socket fds of this process. */
    private static long socketFds() throws Exception {
        return OpenFds.linkedTo(target -> target.startsWith("socket:")).size();
    }

    /**
     * A socket that waited is registered with the backend's readiness selector, and the JDK closes such a
     * channel's fd only once the selector deregistered it: close must return after that, not leave the fd open
     * until the selector happens to wake.
     */
    @Test
    void aSocketThatWaitedHasItsFdClosedWhenCloseReturns() throws Exception {
        try (Ringloom jdk = Ringloom.open(PollerConfig.defaults(), "jdk")) {
            RingSocket[] p = RingSocketTest.pair(jdk, InetAddress.getLoopbackAddress());
            long open = socketFds();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    p[1].read(ByteBuffer.allocate(16));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> jdk.inFlight() == 1);   // it waits on the selector
            p[0].write(ByteBuffer.wrap(new byte[]{1}));
            reader.join();
            p[1].close();
            assertEquals(open - 1, socketFds(), "the fd of the socket that waited is closed");
            p[0].close();
        }
    }

    /**
     * A read-only file is read on the caller's thread (CallerReads): a FileChannel read there would be closed by an
     * interrupt that lands in it. Interrupted at random moments of 20,000 reads, every read returns the right bytes
     * or throws InterruptedIOException, and the file stays open.
     */
    @Test
    void aReadOnlyFileReadUnderRandomInterruptsReadsRightAndStaysOpen() throws Exception {
        java.nio.file.Path p = java.nio.file.Files.createTempFile(
                java.nio.file.Files.createDirectories(java.nio.file.Path.of("target")), "caller-reads", ".bin");
        try (Ringloom jdk = Ringloom.open(PollerConfig.defaults(), "jdk")) {
            byte[] data = new byte[1 << 20];
            new java.util.SplittableRandom(5).nextBytes(data);
            java.nio.file.Files.write(p, data);
            AtomicLong interrupted = new AtomicLong();
            try (RingFile f = jdk.openFile(p)) {
                RandomInterrupts.run(3000, interrupts -> {
                    java.util.SplittableRandom rnd = new java.util.SplittableRandom(6);
                    for (int round = 1; round <= 20_000; round++) {
                        ByteBuffer dst = round % 2 == 0 ? ByteBuffer.allocate(4096)
                                : ByteBuffer.allocateDirect(4096);
                        int pos = rnd.nextInt(data.length - 4096);
                        interrupts.announced.set(round);
                        try {
                            assertEquals(4096, f.read(dst, pos));
                            byte[] got = new byte[4096];
                            dst.flip().get(got);
                            assertArrayEquals(Arrays.copyOfRange(data, pos, pos + 4096), got, "at " + pos);
                        } catch (InterruptedIOException e) {
                            Thread.currentThread().interrupt();     // counted below
                        } finally {
                            interrupts.announced.set(-round);
                            if (Thread.interrupted()) {
                                interrupted.incrementAndGet();      // before, during or after the read
                            }
                        }
                    }
                });
                assertTrue(interrupted.get() > 0, "no interrupt landed: the test checked nothing");
                assertEquals(4096, f.read(ByteBuffer.allocate(4096), 0), "the file is still open");
            }
        } finally {
            java.nio.file.Files.deleteIfExists(p);
        }
    }

    /**
     * A file open for writing under random interrupts: every positional write lands whole or reports exactly what
     * landed, every read reads what was written, and the file stays open. Where the channel ignores interrupts
     * (the suite exports sun.nio.ch) both run on the caller; an interrupt must neither close the file nor lose a byte.
     */
    @Test
    void aFileOpenForWritingWrittenAndReadUnderRandomInterruptsStaysRightAndOpen() throws Exception {
        java.nio.file.Path p = java.nio.file.Files.createTempFile(
                java.nio.file.Files.createDirectories(java.nio.file.Path.of("target")), "caller-writes", ".bin");
        try (Ringloom jdk = Ringloom.open(PollerConfig.defaults(), "jdk");
             RingFile f = jdk.openFile(p, java.nio.file.StandardOpenOption.READ,
                     java.nio.file.StandardOpenOption.WRITE)) {
            int blocks = 256;
            byte[] expected = new byte[blocks * 4096];
            AtomicLong interrupted = new AtomicLong();
            RandomInterrupts.run(3000, interrupts -> {
                java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
                for (int round = 1; round <= 20_000; round++) {
                    int block = rnd.nextInt(blocks);
                    interrupts.announced.set(round);
                    try {
                        if (round % 2 == 0) {
                            byte[] bytes = new byte[4096];
                            Arrays.fill(bytes, (byte) round);
                            ByteBuffer src = ByteBuffer.wrap(bytes);
                            int before = 0;
                            try {
                                while (src.hasRemaining()) {
                                    before = src.position();
                                    f.write(src, block * 4096L + before);
                                }
                            } catch (InterruptedIOException e) {
                                Thread.currentThread().interrupt();
                                assertEquals(src.position() - before, e.bytesTransferred, "the count is what landed");
                            }
                            System.arraycopy(bytes, 0, expected, block * 4096, src.position());
                        } else {
                            ByteBuffer dst = ByteBuffer.allocate(4096);
                            try {
                                int n = f.read(dst, block * 4096L);
                                byte[] got = Arrays.copyOf(dst.array(), Math.max(n, 0));
                                byte[] want = Arrays.copyOfRange(expected, block * 4096, block * 4096 + got.length);
                                assertArrayEquals(want, got, "block " + block);
                            } catch (InterruptedIOException e) {
                                Thread.currentThread().interrupt();
                                assertEquals(0, dst.position(), "an interrupted read consumes nothing");
                            }
                        }
                    } finally {
                        interrupts.announced.set(-round);
                        if (Thread.interrupted()) {
                            interrupted.incrementAndGet();
                        }
                    }
                }
            });
            assertTrue(interrupted.get() > 0, "no interrupt landed: the test checked nothing");
            ByteBuffer all = ByteBuffer.allocate(expected.length);
            while (all.hasRemaining() && f.read(all, all.position()) > 0) {
                // a file's reads may stop short of the buffer
            }
            assertArrayEquals(Arrays.copyOf(expected, all.position()), Arrays.copyOf(all.array(), all.position()),
                    "the file holds exactly the writes, and is still open");
        } finally {
            java.nio.file.Files.deleteIfExists(p);
        }
    }

    @Test
    void withoutSunNioChExportedFilesStillWorkThroughHelpersAndOneInfoLineSaysWhatToAdd() throws Exception {
        ChildJvm.Output without = ChildJvm.run(FileChild.class);
        assertTrue(without.stdout().contains("written=ringloom read-only=ringloom"), without.both());
        assertEquals(1, without.stderr().lines().filter(l -> l.contains("--add-exports java.base/sun.nio.ch=")).count(),
                without.stderr());
        ChildJvm.Output with = ChildJvm.run(FileChild.class, "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
        assertTrue(with.stdout().contains("written=ringloom read-only=ringloom"), with.both());
        assertTrue(with.stderr().lines().noneMatch(l -> l.contains("sun.nio.ch")), with.stderr());
    }

    /** Child JVM: a file written and read back, then read through a read-only open, on the JDK backend. */
    static final class FileChild {
        public static void main(String[] args) throws Exception {
            java.nio.file.Path p = java.nio.file.Files.createTempFile("ringloom-child", ".txt");
            try (Ringloom jdk = Ringloom.open(PollerConfig.defaults(), "jdk")) {
                ByteBuffer got = ByteBuffer.allocate(8);
                try (RingFile f = jdk.openFile(p, java.nio.file.StandardOpenOption.READ,
                        java.nio.file.StandardOpenOption.WRITE)) {
                    f.write(ByteBuffer.wrap("ringloom".getBytes(StandardCharsets.US_ASCII)), 0);
                    f.read(got, 0);
                }
                ByteBuffer again = ByteBuffer.allocate(8);
                try (RingFile f = jdk.openFile(p)) {
                    f.read(again, 0);
                }
                System.out.println("written=" + new String(got.array(), StandardCharsets.US_ASCII)
                        + " read-only=" + new String(again.array(), StandardCharsets.US_ASCII));
            } finally {
                java.nio.file.Files.deleteIfExists(p);
            }
        }
    }
}
