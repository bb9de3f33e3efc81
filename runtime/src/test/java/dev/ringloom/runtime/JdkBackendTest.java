package dev.ringloom.runtime;

import dev.ringloom.poller.PollerConfig;
import org.junit.jupiter.api.Test;

import java.io.InterruptedIOException;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
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
 * What the JDK backend promises where it differs from io_uring (RingSocket's Javadoc, "On the JDK backend"):
 * without a kernel cancel, an interrupted writer still returns promptly; the piece it had in flight goes out
 * before the next write, so the stream stays ordered and unmixed.
 */
class JdkBackendTest {
    private static final int PIECE = 64 * 1024;

    /**
     * What the peer of an interrupted writer that then wrote "END" receives: the confirmed bytes, at most one
     * more piece of the same data (the one in flight), in order, then "END".
     */
    private static void assertConfirmedThenInFlightPieceThenEnd(byte[] data, byte[] all, long confirmed) {
        assertTrue(confirmed >= 0 && all.length >= confirmed + 3, "received " + all.length + ", confirmed " + confirmed);
        long inFlightPiece = all.length - 3 - confirmed;
        assertTrue(inFlightPiece <= PIECE, "more than the one piece in flight went out: " + inFlightPiece);
        assertArrayEquals(Arrays.copyOf(data, all.length - 3), Arrays.copyOf(all, all.length - 3),
                "the data's prefix, in order, then the next write");
        assertEquals("END", new String(all, all.length - 3, 3, StandardCharsets.US_ASCII));
    }

    @Test
    void anInterruptedWriterReturnsPromptlyAndItsPieceInFlightGoesOutBeforeTheNextWrite() throws Exception {
        try (Ringloom jdk = Ringloom.open(PollerConfig.defaults(), "jdk")) {
            RingSocket[] p = RingSocketTest.pair(jdk, InetAddress.getLoopbackAddress());
            byte[] data = new byte[16 << 20];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i % 251);
            }
            AtomicLong transferred = new AtomicLong(-1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch interrupted = new CountDownLatch(1);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    try {
                        p[0].write(ByteBuffer.wrap(data));
                        failure.set(new AssertionError("16 MiB went out to a peer that does not read"));
                    } catch (InterruptedIOException e) {
                        Thread.interrupted();
                        transferred.set(e.bytesTransferred);
                    }
                    interrupted.countDown();
                    p[0].write(ByteBuffer.wrap("END".getBytes(StandardCharsets.US_ASCII)));
                    p[0].shutdownOutput();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    interrupted.countDown();
                }
            });
            // The peer reads nothing yet: the writer blocks once the socket buffers are full.
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.getState() == Thread.State.WAITING
                    && jdk.inFlight() >= 1);
            writer.interrupt();
            interrupted.await();        // returns although the peer still reads nothing: prompt
            assertEquals(null, failure.get());

            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            int n;
            while ((n = p[1].read(in.clear())) >= 0) {
                got.write(in.array(), 0, n);
            }
            writer.join();
            assertEquals(null, failure.get());
            assertConfirmedThenInFlightPieceThenEnd(data, got.toByteArray(), transferred.get());
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void anInterruptedPipeWriterReturnsPromptlyAndItsPieceInFlightGoesOutBeforeTheNextWrite() throws Exception {
        try (Ringloom jdk = Ringloom.open(PollerConfig.defaults(), "jdk")) {
            RingFile[] pipe = jdk.pipe();
            byte[] data = new byte[1 << 20];            // far more than a pipe holds: the write blocks
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i % 251);
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong transferred = new AtomicLong(-1);
            CountDownLatch interrupted = new CountDownLatch(1);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    try {
                        pipe[1].writeFully(ByteBuffer.wrap(data));
                        failure.set(new AssertionError("1 MiB went into a pipe nobody reads"));
                    } catch (InterruptedIOException e) {
                        Thread.interrupted();
                        transferred.set(e.bytesTransferred);
                    }
                    interrupted.countDown();
                    pipe[1].writeFully(ByteBuffer.wrap("END".getBytes(StandardCharsets.US_ASCII)));
                    pipe[1].close();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    interrupted.countDown();
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> writer.getState() == Thread.State.WAITING
                    && jdk.inFlight() >= 1);
            writer.interrupt();
            interrupted.await();        // returns although nobody reads the pipe: prompt
            assertEquals(null, failure.get());

            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            int n;
            while ((n = pipe[0].read(in.clear())) >= 0) {
                got.write(in.array(), 0, n);
            }
            writer.join();
            assertEquals(null, failure.get());
            assertConfirmedThenInFlightPieceThenEnd(data, got.toByteArray(), transferred.get());
            pipe[0].close();
        }
    }
}
