package dev.ringloom.runtime;

import dev.ringloom.poller.PollerConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A thread that is not scheduled on its socket's poller takes bytes that already wait in the kernel with a direct
 * {@code recv(MSG_DONTWAIT)} on its own thread, as the JDK's sockets do: no hand-off to the poller and no wake-up
 * back. Only a read that finds nothing waits through the ring (the multishot recv, which holds no buffer while the
 * connection is idle). A thread on the poller reads through the ring, where its reads cost no syscall of their own.
 * Either way the stream arrives whole and in order.
 */
class DirectReadTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static Ringloom open() throws IOException {
        return Ringloom.open(PollerConfig.defaults().withPollers(1));
    }

    /** A connected pair on {@code ring} ([1] the server side), which must be io_uring's: the rules are its own. */
    private static RingSocket[] pair(Ringloom ring) throws Exception {
        Backends.assumeIoUring(ring, "reads through the ring");
        return RingSocketTest.pair(ring, LOOPBACK);
    }

    @Test
    void bytesThatWaitInTheKernelAreReadOffThePollerWithoutARingOp() throws Exception {
        try (Ringloom ring = open()) {
            RingSocket[] p = pair(ring);
            RingSocketTest.writeString(p[0], "hello");
            await().atMost(Duration.ofSeconds(10)).until(() -> p[1].available() == 5);
            long sqes = ring.stats().submittedTotal();

            assertEquals("he", RingSocketTest.readString(p[1], 2));                  // a heap buffer
            ByteBuffer direct = ByteBuffer.allocateDirect(2);
            assertEquals(2, p[1].read(direct));                                      // the caller's native memory
            assertEquals("ll", new String(new byte[]{direct.get(0), direct.get(1)}));
            RingReader in = p[1].reader();
            ByteBuffer view = in.fillBuf();                                          // a runtime buffer, no copy
            assertEquals(1, view.remaining());
            assertEquals('o', view.get(0));
            assertEquals(1, p[1].available(), "filled and not consumed: still to be read");
            in.consume(1);
            assertEquals(0, p[1].available());

            assertEquals(sqes, ring.stats().submittedTotal(), "no read went through the ring");
            assertEquals(3, p[1].directReads());
            assertFalse(p[1].receiving(), "no receive is armed for bytes that were there");
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void aReadThatFindsNothingWaitsThroughTheMultishotHoldingNoBuffer() throws Exception {
        try (Ringloom ring = open()) {
            RingSocket[] p = pair(ring);
            assumeTrue(p[1].receivesIntoProvidedBuffers(), "this kernel has no multishot recv (6.0+)");
            AtomicReference<String> got = new AtomicReference<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    got.set(RingSocketTest.readString(p[1], 5));
                } catch (IOException e) {
                    got.set(e.toString());
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(p[1]::receiving);
            assertEquals(0, ring.receiveBuffersHeld(), "a reader waiting for data holds no buffer");
            RingSocketTest.writeString(p[0], "hello");
            reader.join();
            assertEquals("hello", got.get());
            assertEquals(0, p[1].directReads(), "the bytes came through the ring");

            // The multishot stays armed: what arrives next waits in a provided buffer, and the read takes it there.
            RingSocketTest.writeString(p[0], "again");
            await().atMost(Duration.ofSeconds(10)).until(() -> ring.receiveBuffersHeld() == 1);
            RingReader in = p[1].reader();
            assertEquals(5, in.fillBuf().remaining());
            assertEquals(5, p[1].available(), "what the reader shows is counted once");
            in.consume(2);
            assertEquals(3, p[1].available());
            assertEquals("ain", RingSocketTest.readString(p[1], 3));
            assertEquals(0, p[1].available());
            assertEquals(0, p[1].directReads());
            assertEquals(0, ring.receiveBuffersHeld());
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void aThreadOnTheSocketsPollerReadsThroughTheRing() throws Exception {
        try (Ringloom ring = open()) {
            RingSocket[] p = pair(ring);
            RingSocketTest.writeString(p[0], "hello");
            await().atMost(Duration.ofSeconds(10)).until(() -> p[1].available() == 5);
            assertEquals("hello", ProvidedBufferReceiveTest.onPoller(ring, p[1], () -> RingSocketTest.readString(p[1], 5)));
            assertEquals(0, p[1].directReads());
            p[0].close();
            p[1].close();
        }
    }

    /**
     * The writer sends bursts of 1 B to 512 KiB and waits until the reader took each, so the reader's next read finds
     * the socket empty and waits through the ring, and a burst larger than the multishot may queue ends it (the
     * socket throttles itself) and leaves the rest to direct reads: both ways, over and over, in one stream.
     */
    @Test
    void aStreamReadBothWaysArrivesWholeAndInOrder() throws Exception {
        try (Ringloom ring = Ringloom.open(PollerConfig.defaults().withPollers(1).withRecvBuffers(64, 4096))) {
            RingSocket[] p = pair(ring);
            int bursts = 200;
            SplittableRandom sizes = new SplittableRandom(42);
            int[] burst = new int[bursts];
            long total = 0;
            for (int i = 0; i < bursts; i++) {
                burst[i] = i % 4 == 0 ? 1 + sizes.nextInt(512 << 10) : 1 + sizes.nextInt(4096);
                total += burst[i];
            }
            Semaphore taken = new Semaphore(0);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    long sent = 0;
                    for (int b : burst) {
                        ByteBuffer buf = ByteBuffer.allocate(b);
                        for (int i = 0; i < b; i++) {
                            buf.put(patternByte(sent + i));
                        }
                        p[0].write(buf.flip());
                        sent += b;
                        taken.acquire();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            long sqes = ring.stats().submittedTotal();
            SplittableRandom how = new SplittableRandom(7);
            RingReader in = p[1].reader();
            ByteBuffer heap = ByteBuffer.allocate(64 << 10), direct = ByteBuffer.allocateDirect(64 << 10);
            long got = 0;
            for (int b = 0; b < bursts; b++) {
                long end = got + burst[b];
                while (got < end) {
                    int want = (int) Math.min(end - got, 1 + how.nextInt(64 << 10));
                    switch (how.nextInt(3)) {
                        case 0, 1 -> {
                            ByteBuffer dst = (how.nextBoolean() ? heap : direct).clear().limit(want);
                            int n = p[1].read(dst);
                            assertTrue(n > 0, "end of stream after " + got + " bytes");
                            check(dst.flip(), got);
                            got += n;
                        }
                        default -> {
                            ByteBuffer view = in.fillBuf();
                            assertTrue(view.hasRemaining(), "end of stream after " + got + " bytes");
                            int n = Math.min(view.remaining(), want);
                            check(view.slice(view.position(), n), got);
                            in.consume(n);
                            got += n;
                        }
                    }
                }
                taken.release();
            }
            writer.join();
            assertNull(failure.get());
            assertEquals(total, got);
            assertTrue(p[1].directReads() > 0, "no read took waiting bytes directly");
            assertTrue(ring.stats().submittedTotal() > sqes, "no read waited through the ring");
            p[0].close();
            p[1].close();
            assertEquals(0, ring.receiveBuffersHeld());
        }
    }

    private static byte patternByte(long i) {
        return (byte) (i % 251);
    }

    private static void check(ByteBuffer b, long streamOffset) {
        for (int i = 0; i < b.remaining(); i++) {
            if (b.get(b.position() + i) != patternByte(streamOffset + i)) {
                throw new AssertionError("byte " + (streamOffset + i) + " differs");
            }
        }
    }
}
