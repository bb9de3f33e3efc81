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
 * What the JDK backend promises where it differs from io_uring (RingSocket's and RingFile's Javadoc, "On the JDK
 * backend"): without a kernel cancel, an interrupted writer still returns promptly; the piece it had in flight
 * goes out before the next write and counts in its exact {@code bytesTransferred}, so the stream stays ordered,
 * unmixed and free of repeats.
 */
class JdkBackendTest {
    private static final int PIECE = 64 * 1024;

    /** Ends the stream for the reader once the writer is done (shutdownOutput, close). */
    private interface EndOfStream {
        void end() throws Exception;
    }

    /**
     * A writer sends {@code size} bytes to a reader that reads nothing yet, is interrupted while blocked, then
     * writes "END" and ends the stream. The interrupt must end its wait although nobody reads; afterwards the
     * reader must see exactly the bytes reported transferred, in order, then "END".
     */
    private static void interruptABlockedWriter(Ringloom jdk, WritableByteChannel out, EndOfStream end,
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
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.getState() == Thread.State.WAITING
                && jdk.inFlight() >= 1);
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
        assertTrue(confirmed > 0 && confirmed % PIECE == 0, "whole pieces, the one in flight included: " + confirmed);
        assertEquals(confirmed + 3, all.length, "bytesTransferred is exactly what went out before END");
        assertArrayEquals(Arrays.copyOf(data, all.length - 3), Arrays.copyOf(all, all.length - 3),
                "the data's prefix, in order, then the next write");
        assertEquals("END", new String(all, all.length - 3, 3, StandardCharsets.US_ASCII));
    }

    @Test
    void anInterruptedWriterReturnsPromptlyAndReportsExactlyTheBytesThatGoOutBeforeTheNextWrite() throws Exception {
        try (Ringloom jdk = Ringloom.open(PollerConfig.defaults(), "jdk")) {
            RingSocket[] p = RingSocketTest.pair(jdk, InetAddress.getLoopbackAddress());
            interruptABlockedWriter(jdk, p[0], p[0]::shutdownOutput, p[1], 16 << 20);
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void anInterruptedPipeWriterReturnsPromptlyAndReportsExactlyTheBytesThatGoOutBeforeTheNextWrite() throws Exception {
        try (Ringloom jdk = Ringloom.open(PollerConfig.defaults(), "jdk")) {
            RingFile[] pipe = jdk.pipe();
            // 1 MiB: far more than a pipe holds, so the write blocks
            interruptABlockedWriter(jdk, pipe[1], pipe[1]::close, pipe[0], 1 << 20);
            pipe[0].close();
        }
    }
}
