package dev.ringloom.runtime;

import dev.ringloom.poller.PollerConfig;
import dev.ringloom.poller.PollerDeadlockException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ringloom.runtime.SocketStressTest.fillStream;
import static dev.ringloom.runtime.SocketStressTest.streamByte;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Virtual threads scheduled on the pollers ({@link Ringloom#ofVirtual(RingSocket)}): they run on the poller's own
 * thread, and every rule of the channels — no byte lost under interrupts, timeouts, close — holds for them as for
 * threads on the JDK's scheduler. On the JDK backend the builder is {@link Thread#ofVirtual()} and the same
 * scenarios must pass.
 */
class PollerThreadsTest {
    static Ringloom ring;

    @BeforeAll
    static void start() throws IOException {
        ring = Ringloom.open(PollerConfig.defaults().withPollers(2));
    }

    @AfterAll
    static void stop() {
        ring.close();
    }

    /** The carrier a virtual thread is mounted on, as the JDK names it: {@code VirtualThread[#n]/runnable@carrier}. */
    private static String carrierName() {
        String s = Thread.currentThread().toString();
        return s.substring(s.lastIndexOf('@') + 1);
    }

    /** An echo server whose connection threads run on the pollers serving their sockets. */
    private static RingServerSocket echoServer() throws IOException {
        return SocketStressTest.echoServer(ring, ring::ofVirtual, () -> ByteBuffer.allocateDirect(16 * 1024));
    }

    @Test
    void aThreadBuiltForASocketRunsOnThePollerThatServesIt() throws Exception {
        assertEquals("io_uring".equals(ring.backendName()), ring.schedulesOnPollers(),
                "the build opens java.lang to ringloom, so io_uring schedules on its pollers");
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        try (RingSocket a = p[0]; RingSocket b = p[1]) {
            AtomicReference<String> before = new AtomicReference<>(), after = new AtomicReference<>();
            Thread t = ring.ofVirtual(b).start(() -> {
                before.set(carrierName());
                try {
                    b.read(ByteBuffer.allocate(8));    // parks; the poller's completion wakes it in place
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
                after.set(carrierName());
            });
            await().until(() -> before.get() != null);
            a.write(ByteBuffer.wrap(new byte[]{1}));
            t.join();
            assertTrue(t.isVirtual());
            if (ring.schedulesOnPollers()) {
                assertTrue(before.get().startsWith("ringloom-poller-"), before.get());
                assertEquals(before.get(), after.get(), "a thread stays on its poller across parks");
            }
        }
    }

    @Test
    void onlyVirtualThreadsOfTheJdksSchedulerCountAsOnIt() throws Exception {
        // What decides whether a file wait keeps its carrier by yielding (DeviceWaits): never on a poller.
        AtomicReference<Boolean> jdk = new AtomicReference<>(), onPoller = new AtomicReference<>();
        Thread.ofVirtual().start(() -> jdk.set(dev.ringloom.poller.Poller.currentThreadOnJdkScheduler())).join();
        ring.ofVirtual().start(() -> onPoller.set(dev.ringloom.poller.Poller.currentThreadOnJdkScheduler())).join();
        assertTrue(jdk.get());
        assertEquals(!ring.schedulesOnPollers(), onPoller.get());
        assertFalse(dev.ringloom.poller.Poller.currentThreadOnJdkScheduler(), "a platform thread has no carrier");
    }

    @Test
    void aPollerThreadReadingCachedDataInALoopLetsTheOtherThreadsOfItsPollerRun() throws Exception {
        // A read the page cache (or tmpfs) answers never parks: without a slice the reader would hold its poller
        // for its whole loop, and every other thread and socket of that poller would wait for its end.
        org.junit.jupiter.api.Assumptions.assumeTrue(ring.schedulesOnPollers(), "threads scheduled on a poller");
        List<java.nio.file.Path> files = new ArrayList<>();
        files.add(java.nio.file.Files.createTempFile(
                java.nio.file.Files.createDirectories(java.nio.file.Path.of("target")), "slice", ".bin"));
        java.nio.file.Path shm = java.nio.file.Path.of("/dev/shm");
        if (java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm)) {
            files.add(java.nio.file.Files.createTempFile(shm, "ringloom-slice", ".bin"));
        }
        try {
            for (java.nio.file.Path p : files) {
                java.nio.file.Files.write(p, new byte[1 << 20]);             // just written: in the page cache
                assertTrue(readerLetsAnotherThreadRun(p), p + ": the other thread ran only after the reader's loop");
            }
        } finally {
            for (java.nio.file.Path p : files) {
                java.nio.file.Files.delete(p);
            }
        }
    }

    /** True if a thread started on the reader's poller while the reader loops runs before the loop's end. */
    private static boolean readerLetsAnotherThreadRun(java.nio.file.Path p) throws Exception {
        Thread.Builder.OfVirtual onePoller = ring.ofVirtual();     // one builder: one poller for its threads
        AtomicBoolean otherRan = new AtomicBoolean(), readerFinishedFirst = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (RingFile f = ring.openFile(p)) {
            Thread reader = onePoller.start(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(4096);
                try {
                    for (int i = 0; i < 3_000_000 && !otherRan.get(); i++) {
                        b.clear();
                        f.read(b, (i * 4096L) & ((1 << 20) - 1));
                        reads.lazySet(i + 1);
                    }
                } catch (IOException e) {
                    failure.set(e);
                }
                readerFinishedFirst.set(!otherRan.get());
            });
            await().until(() -> reads.get() > 1000 || !reader.isAlive());
            Thread other = onePoller.start(() -> otherRan.set(true));
            reader.join();
            other.join();
        }
        assertEquals(null, failure.get());
        return !readerFinishedFirst.get();
    }

    @Test
    void aThousandConnectionsOnPollerThreadsEchoRandomSizesExactly() throws Exception {
        try (RingServerSocket server = echoServer()) {
            InetSocketAddress addr = server.localAddress();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 1000; c++) {
                long seed = c;
                RingSocket s = ring.connect(addr);
                clients.add(ring.ofVirtual(s).start(() -> {
                    try (s) {
                        SplittableRandom rnd = new SplittableRandom(seed);
                        int size = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(1 << 20) : 1 + rnd.nextInt(2048);
                        Thread reader = ring.ofVirtual(s).start(() -> {
                            try {
                                ByteBuffer in = ByteBuffer.allocate(32 * 1024);
                                for (long at = 0; at < size; ) {
                                    int n = s.read(in.clear());
                                    if (n < 0) {
                                        throw new IOException("EOF after " + at + " of " + size);
                                    }
                                    for (int i = 0; i < n; i++, at++) {
                                        if (in.get(i) != streamByte(seed, at)) {
                                            throw new AssertionError("connection " + seed + ": byte " + at);
                                        }
                                    }
                                }
                            } catch (Throwable t) {
                                failure.compareAndSet(null, t);
                            }
                        });
                        ByteBuffer out = ByteBuffer.allocate(size);
                        fillStream(out, seed, 0);
                        s.write(out);
                        reader.join();
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            for (Thread t : clients) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
        }
    }

    @Test
    void aPollerThreadInterruptedTenThousandTimesWhileReadingReceivesTheStreamExactly() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        try (RingSocket sender = p[0]; RingSocket receiver = p[1]) {
            long total = 8L << 20;
            AtomicLong received = new AtomicLong(), interruptsCaught = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = ring.ofVirtual(receiver).start(() -> {
                ByteBuffer in = ByteBuffer.allocate(3000);
                long at = 0;
                try {
                    while (at < total) {
                        try {
                            int n = receiver.read(in.clear());
                            for (int i = 0; i < n; i++, at++) {
                                if (in.get(i) != streamByte(7, at)) {
                                    throw new AssertionError("byte " + at + " differs");
                                }
                            }
                        } catch (InterruptedIOException e) {
                            assertEquals(0, e.bytesTransferred, "an interrupted read consumes nothing");
                            assertTrue(Thread.interrupted(), "the interrupt status stays set");
                            interruptsCaught.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    received.set(at);
                    done.set(true);
                }
            });
            Thread interrupter = Thread.ofPlatform().start(() -> {
                SplittableRandom rnd = new SplittableRandom(1);
                for (int i = 0; i < 10_000 && !done.get(); i++) {
                    reader.interrupt();
                    for (int spin = rnd.nextInt(2000); spin > 0; spin--) {
                        Thread.onSpinWait();
                    }
                }
            });
            ByteBuffer out = ByteBuffer.allocate(64 * 1024);
            for (long at = 0; at < total; at += out.capacity()) {
                fillStream(out.clear(), 7, at);
                sender.write(out);
            }
            interrupter.join();
            reader.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(total, received.get());
            assertTrue(interruptsCaught.get() > 0, "the interrupts reached the reader");
        }
    }

    @Test
    void aReadTimeoutOnAPollerThreadThrowsAndTheNextReadGetsTheBytes() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        try (RingSocket a = p[0]; RingSocket b = p[1]) {
            b.setSoTimeout(50);
            AtomicReference<Object> outcome = new AtomicReference<>();
            AtomicReference<String> secondRead = new AtomicReference<>();
            Thread t = ring.ofVirtual(b).start(() -> {
                ByteBuffer in = ByteBuffer.allocate(16);
                try {
                    b.read(in);
                    outcome.set("read returned");
                } catch (IOException e) {
                    outcome.set(e);
                }
                try {
                    b.setSoTimeout(0);
                    int n = b.read(in.clear());
                    secondRead.set(new String(in.array(), 0, n, StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    secondRead.set(e.toString());
                }
            });
            await().until(() -> outcome.get() != null);
            assertInstanceOf(SocketTimeoutException.class, outcome.get());
            a.write(ByteBuffer.wrap("after".getBytes(StandardCharsets.US_ASCII)));
            t.join();
            assertEquals("after", secondRead.get());
        }
    }

    @Test
    void closingASocketWakesItsPollerThreadWithSocketClosed() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        RingSocket b = p[1];
        try (RingSocket peer = p[0]) {
            AtomicReference<Object> outcome = new AtomicReference<>();
            AtomicBoolean reading = new AtomicBoolean();
            Thread t = ring.ofVirtual(b).start(() -> {
                try {
                    reading.set(true);
                    b.read(ByteBuffer.allocate(16));
                    outcome.set("read returned");
                } catch (IOException e) {
                    outcome.set(e);
                }
            });
            await().until(() -> reading.get() && t.getState() == Thread.State.WAITING);
            b.close();
            t.join();
            assertInstanceOf(SocketException.class, outcome.get());
            assertEquals("Socket closed", ((SocketException) outcome.get()).getMessage());
            assertTrue(peer.isOpen(), "closing one end leaves the other open");
        }
    }

    @Test
    void threadsOfAClosedRuntimeStillRunToTheirEnd() throws Exception {
        Ringloom own = Ringloom.open(PollerConfig.defaults().withPollers(1));
        RingServerSocket server = own.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        RingSocket client = own.connect(server.localAddress());
        RingSocket accepted = server.accept();
        AtomicReference<Object> outcome = new AtomicReference<>();
        AtomicReference<String> carrierAfterwards = new AtomicReference<>();
        CountDownLatch resume = new CountDownLatch(1);
        Thread t = own.ofVirtual(accepted).start(() -> {
            try {
                accepted.read(ByteBuffer.allocate(16));
                outcome.set("read returned");
            } catch (IOException e) {
                outcome.set(e);
            }
            try {
                resume.await();                   // woken after the poller is gone
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            carrierAfterwards.set(carrierName());
        });
        await().until(() -> t.getState() == Thread.State.WAITING);
        own.close();                              // returns once the poller thread ended
        resume.countDown();
        assertTrue(t.join(Duration.ofSeconds(30)), "the thread ran to its end after its poller stopped");
        assertInstanceOf(IOException.class, outcome.get());
        if (own.schedulesOnPollers()) {
            assertEquals("ringloom-orphaned-tasks", carrierAfterwards.get());
        }
        client.close();
        accepted.close();
        server.close();
    }

    @Test
    void aPollerThreadMayCloseTheRuntimeThatRunsIt() throws Exception {
        Ringloom own = Ringloom.open(PollerConfig.defaults().withPollers(2));
        AtomicReference<String> carrierAfterwards = new AtomicReference<>();
        Thread t = own.ofVirtual().start(() -> {
            own.close();                          // waits for its own poller to end, then resumes elsewhere
            carrierAfterwards.set(carrierName());
        });
        assertTrue(t.join(Duration.ofSeconds(30)), "close() returned to the thread whose poller it stopped");
        if (own.schedulesOnPollers()) {
            assertEquals("ringloom-orphaned-tasks", carrierAfterwards.get());
        }
        assertEquals(0, own.inFlight());
    }

    @Test
    void withoutJavaLangOpenTheThreadsRunOnTheJdkSchedulerAndOneInfoLineSaysSo() throws Exception {
        ChildJvm.Output o = ChildJvm.run(ClosedJavaLangChild.class);
        assertTrue(o.stdout().contains("echoed=ping onPollers=false carrier=ForkJoinPool"), o.both());
        assertEquals(1, o.stderr().lines().filter(l -> l.contains("--add-opens java.base/java.lang=")).count(),
                o.stderr());
    }

    /** Child JVM without {@code --add-opens java.base/java.lang}: one echo over a thread from {@code ofVirtual}. */
    static final class ClosedJavaLangChild {
        public static void main(String[] args) throws Exception {
            try (Ringloom own = Ringloom.open(PollerConfig.defaults(), "io_uring")) {
                RingSocket[] p = RingSocketTest.pair(own, InetAddress.getLoopbackAddress());
                try (RingSocket a = p[0]; RingSocket b = p[1]) {
                    AtomicReference<String> carrier = new AtomicReference<>();
                    Thread t = own.ofVirtual(b).start(() -> {
                        carrier.set(carrierName());
                        try {
                            ByteBuffer in = ByteBuffer.allocate(4);
                            while (in.hasRemaining()) {
                                b.read(in);
                            }
                            b.write(in.flip());
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    });
                    a.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                    ByteBuffer back = ByteBuffer.allocate(4);
                    while (back.hasRemaining()) {
                        a.read(back);
                    }
                    t.join();
                    assertFalse(own.schedulesOnPollers());
                    System.out.println("echoed=" + new String(back.array(), StandardCharsets.US_ASCII)
                            + " onPollers=" + own.schedulesOnPollers() + " carrier=" + carrier.get());
                    own.ofVirtual(b);                  // a second builder: the INFO line is not repeated
                }
            }
        }
    }

    /** A socket call made inside a class initializer, where the calling thread is pinned. */
    @FunctionalInterface
    interface SocketCall {
        void run() throws IOException;
    }

    /** What {@code call} threw, or null: an initializer's outcome, kept for the test to look at. */
    static Throwable thrownBy(SocketCall call) {
        try {
            call.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** The socket {@link ReadsInItsInitializer} reads: set without initializing that class. */
    static final class PinnedReaderSocket {
        static volatile RingSocket socket;
    }

    /** Reads a socket in its initializer: a virtual thread that loads it is pinned for the read's wait. */
    static final class ReadsInItsInitializer {
        static final Throwable FAILURE = thrownBy(() -> PinnedReaderSocket.socket.read(ByteBuffer.allocate(8)));
    }

    /**
     * A virtual thread scheduled on a poller that waits while pinned (here inside a class initializer) cannot
     * unmount, so the poller it waits for never runs again: instead of that deadlock, the read fails with
     * {@link PollerDeadlockException}, and the poller and its other sockets go on.
     */
    @Test
    void aPinnedWaitOnItsOwnPollerFailsInsteadOfDeadlockingIt() throws Exception {
        Backends.assumeIoUring(ring, "threads scheduled on pollers");
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        try (RingSocket a = p[0]; RingSocket b = p[1]) {
            PinnedReaderSocket.socket = b;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = ring.ofVirtual(b).start(() -> failure.set(ReadsInItsInitializer.FAILURE));
            assertTrue(t.join(Duration.ofSeconds(30)), "the pinned reader was never woken: the poller is deadlocked");
            assertInstanceOf(PollerDeadlockException.class, failure.get());
            assertTrue(failure.get().getMessage().contains("pinned"), failure.get().getMessage());
            // The socket is still usable and nothing was consumed: the next read gets the next bytes.
            a.write(ByteBuffer.wrap(new byte[]{42}));
            Thread reader = ring.ofVirtual(b).start(() -> {
                try {
                    ByteBuffer one = ByteBuffer.allocate(1);
                    assertEquals(1, b.read(one));
                    assertEquals(42, one.get(0));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(reader.join(Duration.ofSeconds(30)), "the poller did not recover");
        }
    }

    /** The socket {@link WritesInItsInitializer} writes: set without initializing that class. */
    static final class PinnedWriterSocket {
        static volatile RingSocket socket;
    }

    /** Writes more than the path holds in its initializer: its send waits in the kernel, pinned. */
    static final class WritesInItsInitializer {
        static final Throwable FAILURE =
                thrownBy(() -> PinnedWriterSocket.socket.write(ByteBuffer.allocate(64 << 20)));
    }

    /** Writes one byte in its initializer: on a poller thread even that is a SEND the pinned thread waits for. */
    static final class WritesAByteInItsInitializer {
        static final Throwable FAILURE =
                thrownBy(() -> PinnedWriterSocket.socket.write(ByteBuffer.wrap(new byte[]{7})));
    }

    /**
     * A thread scheduled on its socket's poller sends through the poller's ring, so even a write the socket buffer
     * has room for waits for the poller: pinned, it fails with {@link PollerDeadlockException} instead of stopping
     * the poller, and the poller serves its other sockets after it.
     */
    @Test
    void aSmallPinnedWriteOnAPollerThreadFailsInsteadOfDeadlockingThePoller() throws Exception {
        Backends.assumeIoUring(ring, "threads scheduled on pollers");
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        RingSocket[] q = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        try (RingSocket a = p[0]; RingSocket b = p[1]; RingSocket c = q[0]; RingSocket d = q[1]) {
            PinnedWriterSocket.socket = b;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = ring.ofVirtual(b).start(() -> failure.set(WritesAByteInItsInitializer.FAILURE));
            assertTrue(t.join(Duration.ofSeconds(30)), "the pinned writer was never woken: the poller is deadlocked");
            assertInstanceOf(PollerDeadlockException.class, failure.get());
            Thread echo = ring.ofVirtual(c).start(() -> {
                try {
                    c.write(ByteBuffer.wrap(new byte[]{42}));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(echo.join(Duration.ofSeconds(30)), "the poller did not recover");
            ByteBuffer one = ByteBuffer.allocate(1);
            assertEquals(1, d.read(one));
            assertEquals(42, one.get(0));
        }
    }

    /**
     * A pinned write fails like a pinned read, but how much of it went out is unknown and its send may still be in
     * flight: the socket then refuses further writes (PITFALLS 10: refuse rather than guess), so nothing is resent
     * or overtaken.
     */
    @Test
    void aPinnedWriteFailsAndTheSocketRefusesWritesAfterIt() throws Exception {
        Backends.assumeIoUring(ring, "threads scheduled on pollers");
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        try (RingSocket a = p[0]; RingSocket b = p[1]) {
            PinnedWriterSocket.socket = b;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = ring.ofVirtual(b).start(() -> failure.set(WritesInItsInitializer.FAILURE));
            assertTrue(t.join(Duration.ofSeconds(30)), "the pinned writer was never woken: the poller is deadlocked");
            assertInstanceOf(PollerDeadlockException.class, failure.get());
            IOException refused = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> b.write(ByteBuffer.wrap(new byte[]{1})));
            assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
        }
    }
}
