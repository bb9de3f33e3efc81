package dev.ringloom.runtime;

import org.junit.jupiter.api.Test;

import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ringloom.runtime.SocketStressTest.fillStream;
import static dev.ringloom.runtime.SocketStressTest.streamByte;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scattering reads and gathering writes on sockets and pipes ({@code ScatteringByteChannel},
 * {@code GatheringByteChannel}; files are held to {@code FileChannel} by std-adapters' {@code FileContractTest}):
 * one op for the slice, the buffers filled and drained in order, and the socket's timeout, interrupt and close
 * rules kept — an interrupted gathering writer learns exactly which bytes went out. Runs on every backend.
 */
class VectoredIoTest extends WithRing {
    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String filled(ByteBuffer... bufs) {
        StringBuilder s = new StringBuilder();
        for (ByteBuffer b : bufs) {
            s.append(new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII)).append('|');
        }
        return s.toString();
    }

    @Test
    void aGatheringWriteSendsEveryBufferInOrderAndAScatteringReadFillsThemInOrder() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        try {
            ByteBuffer direct = ByteBuffer.allocateDirect(5).put(ascii("DIRCT")).flip();
            ByteBuffer[] out = {ascii("head:"), ByteBuffer.allocate(0), direct, ascii("xx:tail").position(2)};
            assertEquals(15, p[0].write(out));
            for (ByteBuffer b : out) {
                assertEquals(0, b.remaining(), "a gathering write on a socket writes everything");
            }
            ByteBuffer[] in = {ByteBuffer.allocate(4), ByteBuffer.allocate(0), ByteBuffer.allocate(6),
                    ByteBuffer.allocate(64)};
            long got = 0;
            while (got < 15) {
                got += p[1].read(in, 0, 4);
            }
            assertEquals("head||:DIRCT|:tail|", filled(in));
            assertEquals(0, p[1].read(in, 0, 2), "no room: returns at once");
            p[0].shutdownOutput();
            assertEquals(-1, p[1].read(in));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void aScatteringReadKeepsTheSocketsTimeoutAndLosesNothingToIt() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        try {
            p[1].setSoTimeout(100);
            ByteBuffer[] in = {ByteBuffer.allocate(3), ByteBuffer.allocate(3)};
            assertThrows(SocketTimeoutException.class, () -> p[1].read(in));
            Thread.currentThread().interrupt();
            assertThrows(InterruptedIOException.class, () -> p[1].read(in));
            assertTrue(Thread.interrupted());
            p[0].write(ascii("abcdef"));
            long got = 0;
            while (got < 6) {
                got += p[1].read(in);
            }
            assertEquals("abc|def|", filled(in));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void anInterruptedGatheringWriterLearnsExactlyWhatWentOut() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        long total = 24L << 20, seed = 19;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        long[] interrupts = new long[1];
        Thread writer = Thread.ofVirtual().start(() -> {
            SplittableRandom rnd = new SplittableRandom(5);
            long at = 0;
            try {
                while (at < total) {
                    ByteBuffer[] out = new ByteBuffer[1 + rnd.nextInt(4)];
                    for (int i = 0; i < out.length; i++) {
                        int len = (int) Math.min(total - at, 1 + rnd.nextInt(200_000));
                        out[i] = rnd.nextBoolean() ? ByteBuffer.allocate(len) : ByteBuffer.allocateDirect(len);
                        fillStream(out[i], seed, at);
                        at += len;
                    }
                    long left = 0;
                    for (ByteBuffer b : out) {
                        left += b.remaining();
                    }
                    while (left > 0) {
                        try {
                            left -= p[0].write(out);
                        } catch (InterruptedIOException e) {
                            Thread.interrupted();
                            long now = 0;
                            for (ByteBuffer b : out) {
                                now += b.remaining();
                            }
                            assertEquals(left - now, e.bytesTransferred,
                                    "bytesTransferred must be exactly what the buffers advanced by");
                            left = now;
                            interrupts[0]++;
                        }
                    }
                }
                p[0].shutdownOutput();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                done.set(true);
            }
        });
        Thread reader = Thread.ofVirtual().start(() -> {
            ByteBuffer[] in = {ByteBuffer.allocate(1000), ByteBuffer.allocateDirect(7000)};
            long at = 0;
            try {
                long n;
                while ((n = p[1].read(in)) >= 0) {
                    for (ByteBuffer b : in) {
                        b.flip();
                        while (b.hasRemaining()) {
                            if (b.get() != streamByte(seed, at++)) {
                                throw new AssertionError("byte " + (at - 1) + " differs");
                            }
                        }
                        b.clear();
                    }
                    assertTrue(n > 0);
                }
                assertEquals(total, at);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        SocketStressTest.interruptUntil(writer, done, 6);
        writer.join();
        reader.join();
        p[0].close();
        p[1].close();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(interrupts[0] > 0, "no interrupt landed in a write");
    }

    @Test
    void aPipeGathersAndScattersLikeASocket() throws Exception {
        RingFile[] pipe = ring.pipe();
        try (RingFile in = pipe[0]; RingFile out = pipe[1]) {
            assertEquals(9, out.write(new ByteBuffer[]{ascii("one"), ascii("two"), ascii("six")}));
            ByteBuffer[] dst = {ByteBuffer.allocate(2), ByteBuffer.allocate(7)};
            long got = 0;
            while (got < 9) {
                got += in.read(dst);
            }
            assertEquals("on|etwosix|", filled(dst));
            out.close();
            assertEquals(-1, in.read(new ByteBuffer[]{ByteBuffer.allocate(1)}));
        }
    }
}
