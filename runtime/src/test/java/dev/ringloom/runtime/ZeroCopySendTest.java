package dev.ringloom.runtime;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        try {
            SocketStressTest.interruptAWriterAtRandom(p, 32L << 20, ByteBuffer::allocateDirect,
                    Thread.ofVirtual());  // direct: zero-copy
        } finally {
            p[0].close();
            p[1].close();
        }
    }
}
