package dev.ringloom.runtime;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sends from direct memory of 4 KiB and more go out as {@code IORING_OP_SEND_ZC} here
 * ({@code ringloom.zeroCopySendFrom=4096}): the writer gets its buffer back only after the kernel's notification
 * (overwriting it at once changes nothing the peer sees), and an interrupted zero-copy writer learns exactly what
 * went out. io_uring only; skipped where the kernel has no SEND_ZC.
 */
class ZeroCopySendTest {
    static Ringloom ring;

    @BeforeAll
    static void start() throws IOException {
        System.setProperty("ringloom.zeroCopySendFrom", "4096");
        try {
            ring = Ringloom.open();
        } finally {
            System.clearProperty("ringloom.zeroCopySendFrom");
        }
    }

    @AfterAll
    static void stop() {
        ring.close();
    }

    private static byte streamByte(long i) {
        return (byte) (i * 7 + (i >>> 11));
    }

    @Test
    void aBufferComesBackOnlyWhenTheKernelNoLongerReadsIt() throws Exception {
        Backends.assumeIoUring(ring, "SEND_ZC is io_uring's");
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        long total = 16L << 20;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            Thread reader = Thread.ofVirtual().start(() -> {
                ByteBuffer in = ByteBuffer.allocate(7000);
                long at = 0;
                try {
                    while (at < total) {
                        int n = p[1].read(in.clear());
                        for (int i = 0; i < n; i++, at++) {
                            if (in.get(i) != streamByte(at)) {
                                throw new AssertionError("byte " + at + " differs");
                            }
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            ByteBuffer out = ByteBuffer.allocateDirect(256 * 1024);
            for (long at = 0; at < total; at += out.capacity()) {
                out.clear();
                for (int i = 0; i < out.capacity(); i++) {
                    out.put(i, streamByte(at + i));
                }
                p[0].write(out);
                for (int i = 0; i < out.capacity(); i += 512) {
                    out.put(i, (byte) ~streamByte(at + i));     // the kernel is done with it: scribbling is harmless
                }
            }
            reader.join();
            assertEquals(null, failure.get());
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void anInterruptedZeroCopyWriterLearnsExactlyWhatWentOut() throws Exception {
        Backends.assumeIoUring(ring, "SEND_ZC is io_uring's");
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        long total = 32L << 20;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean done = new AtomicBoolean();
        long[] interrupted = new long[1];
        try {
            Thread writer = Thread.ofVirtual().start(() -> {
                ByteBuffer out = ByteBuffer.allocateDirect(128 * 1024);
                try {
                    for (long at = 0; at < total; at += out.capacity()) {
                        for (int i = 0; i < out.capacity(); i++) {
                            out.put(i, streamByte(at + i));
                        }
                        out.clear();
                        while (out.hasRemaining()) {
                            int before = out.position();
                            try {
                                p[0].write(out);
                            } catch (InterruptedIOException e) {
                                Thread.interrupted();
                                assertEquals(out.position() - before, e.bytesTransferred);
                                interrupted[0]++;
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
                ByteBuffer in = ByteBuffer.allocate(8192);
                long at = 0;
                try {
                    int n;
                    while ((n = p[1].read(in.clear())) >= 0) {
                        for (int i = 0; i < n; i++, at++) {
                            if (in.get(i) != streamByte(at)) {
                                throw new AssertionError("byte " + at + " differs");
                            }
                        }
                    }
                    assertEquals(total, at);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            SplittableRandom rnd = new SplittableRandom(9);
            while (!done.get()) {
                writer.interrupt();
                for (int spin = rnd.nextInt(50_000); spin > 0; spin--) {
                    Thread.onSpinWait();
                }
            }
            writer.join();
            reader.join();
            assertEquals(null, failure.get());
            assertTrue(interrupted[0] > 0, "no interrupt landed in a write");
        } finally {
            p[0].close();
            p[1].close();
        }
    }
}
