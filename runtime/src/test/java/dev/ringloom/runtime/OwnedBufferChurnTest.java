package dev.ringloom.runtime;

import dev.ringloom.poller.sys.NativeMemory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.nio.file.StandardOpenOption.READ;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 100,000 owned-buffer calls that end every way a call can end — completed, interrupted before or inside the
 * kernel, timed out, cut by a close from another thread — and every buffer comes back to its pool: the runtime's
 * count of owned buffers returns exactly to where it was and, with the pools trimmed, its native memory to the
 * byte. A completed call's bytes are checked; a call that failed gives its buffer back unless the kernel may still
 * write it. The suite runs once per backend.
 */
class OwnedBufferChurnTest extends WithRing {
    static final int FILE_CALLS = 80_000, SOCKET_CALLS = 20_000, READERS = 4, BLOCK = 8192;

    @Test
    void everyBufferComesBackWhateverEndedItsCall() throws Throwable {
        ring.trimBuffers();
        long outstanding = ring.ownedBuffersOutstanding();
        long nativeBytes = NativeMemory.reservedBytes();
        AtomicLong interrupted = new AtomicLong(), closed = new AtomicLong(), timedOut = new AtomicLong();

        fileReads(interrupted, closed);
        socketReads(interrupted, closed, timedOut);

        assertTrue(interrupted.get() > 0 && closed.get() > 0 && timedOut.get() > 0,
                interrupted + " interrupted, " + closed + " cut by a close, " + timedOut + " timed out: every"
                        + " ending must occur for the test to check it");
        await().atMost(Duration.ofSeconds(10)).until(() -> ring.ownedBuffersOutstanding() == outstanding);
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ring.trimBuffers();
            return NativeMemory.reservedBytes() == nativeBytes;
        });
    }

    /** Positional reads of one file that a closer replaces every few hundred calls, under random interrupts. */
    private static void fileReads(AtomicLong interrupted, AtomicLong closed) throws Throwable {
        byte[] data = new byte[8 << 20];
        new SplittableRandom(31).nextBytes(data);
        Path path = Files.createTempFile(Files.createDirectories(Path.of("target")), "churn", ".bin");
        Files.write(path, data);
        // On io_uring O_DIRECT, so reads are in the kernel when interrupts land (cached data is read synchronously).
        boolean direct = !ring.backendName().equals("jdk");
        AtomicReference<RingFile> file = new AtomicReference<>(open(path, direct));
        AtomicLong calls = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        try {
            for (int t = 0; t < READERS; t++) {
                long seed = t;
                readers.add(Thread.ofVirtual().start(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    IoBuffer buf = ring.allocate(BLOCK);
                    try {
                        while (calls.incrementAndGet() <= FILE_CALLS) {
                            long pos = (long) BLOCK * rnd.nextInt(data.length / BLOCK);
                            try {
                                IoBuffer got = file.get().read(buf, pos);
                                assertEquals(BLOCK, got.length());
                                MemorySegment d = got.data();
                                assertEquals(data[(int) pos], d.get(JAVA_BYTE, 0));
                                assertEquals(data[(int) pos + BLOCK - 1], d.get(JAVA_BYTE, BLOCK - 1));
                            } catch (InterruptedIOException e) {
                                Thread.interrupted();
                                interrupted.incrementAndGet();
                                if (!buf.isOwned()) {
                                    buf = ring.allocate(BLOCK);    // abandoned: back to its pool at the completion
                                }
                            } catch (ClosedChannelException e) {   // AsynchronousCloseException included
                                closed.incrementAndGet();
                                assertTrue(buf.isOwned(), "a call cut by a close gives the buffer back");
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        if (buf.isOwned()) {
                            buf.close();
                        }
                    }
                }));
            }
            disturb(readers, calls, 20_000, 100, rnd -> file.getAndSet(open(path, direct)).close());
        } finally {
            file.get().close();
            Files.delete(path);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private static RingFile open(Path path, boolean direct) throws IOException {
        return direct ? ring.openFile(path, READ, RingOpenOption.DIRECT) : ring.openFile(path, READ);
    }

    /**
     * Reads with a 1 ms timeout from connections whose peers send a counting pattern in sporadic bursts, under
     * random interrupts, each connection closed under its reader now and then and replaced; within a connection the
     * pattern must go on without a byte lost or repeated.
     */
    private static void socketReads(AtomicLong interrupted, AtomicLong closed, AtomicLong timedOut) throws Throwable {
        AtomicReferenceArray<RingSocket[]> pairs = new AtomicReferenceArray<>(READERS);
        AtomicLong calls = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < READERS; t++) {
            int me = t;
            pairs.set(me, connect());
            // The sender: bursts of the pattern, then a pause. A platform thread: its spinning pause would hold a
            // carrier, and the virtual threads the test waits for would starve.
            threads.add(Thread.ofPlatform().daemon().start(() -> {
                SplittableRandom rnd = new SplittableRandom(100 + me);
                RingSocket[] pair = null;
                long sent = 0;
                while (!done.get()) {
                    if (pair != pairs.get(me)) {
                        pair = pairs.get(me);
                        sent = 0;
                    }
                    ByteBuffer burst = ByteBuffer.allocate(1 + rnd.nextInt(3000));
                    while (burst.hasRemaining()) {
                        burst.put((byte) (sent + burst.position()));
                    }
                    try {
                        pair[0].write(burst.flip());
                        sent += burst.limit();
                    } catch (IOException e) {
                        Thread.onSpinWait();                // its pair was closed: the next one comes
                    }
                    for (int spin = rnd.nextInt(50_000); spin > 0; spin--) {
                        Thread.onSpinWait();
                    }
                }
            }));
        }
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < READERS; t++) {
            int me = t;
            readers.add(Thread.ofVirtual().start(() -> {
                IoBuffer buf = ring.allocate(BLOCK);
                RingSocket[] pair = null;
                long received = 0;
                try {
                    while (calls.incrementAndGet() <= SOCKET_CALLS) {
                        try {
                            if (pair != pairs.get(me)) {
                                pair = pairs.get(me);
                                received = 0;
                                pair[1].setSoTimeout(1);
                            }
                            IoBuffer got = pair[1].read(buf);
                            MemorySegment d = got.data();
                            for (int i = 0; i < got.length(); i++, received++) {
                                if (d.get(JAVA_BYTE, i) != (byte) received) {
                                    throw new AssertionError("byte " + received + " of a connection is wrong");
                                }
                            }
                        } catch (InterruptedIOException e) {       // SocketTimeoutException included
                            if (e instanceof SocketTimeoutException) {
                                timedOut.incrementAndGet();
                            } else {
                                Thread.interrupted();
                                interrupted.incrementAndGet();
                            }
                            assertTrue(buf.isOwned(), "a socket read never leaves its buffer with the kernel");
                        } catch (SocketException e) {              // "Socket closed": its pair was replaced
                            closed.incrementAndGet();
                            assertTrue(buf.isOwned());
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    buf.close();
                }
            }));
        }
        disturb(readers, calls, 100_000, 200, rnd -> {
            RingSocket[] old = pairs.getAndSet(rnd.nextInt(READERS), connect());
            old[1].close();                                         // under its reader, maybe mid-read
            old[0].close();
        });
        done.set(true);
        for (Thread t : threads) {
            t.join();
        }
        for (int t = 0; t < READERS; t++) {
            pairs.get(t)[0].close();
            pairs.get(t)[1].close();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    interface Closer {
        void closeOne(SplittableRandom rnd) throws Exception;
    }

    /**
     * Until every reader ended: interrupts a random one, then a random pause of up to {@code maxSpins}; and every
     * {@code minCalls} to {@code minCalls + 400} calls, {@code closer} closes something under a reader.
     */
    private static void disturb(List<Thread> readers, AtomicLong calls, int maxSpins, int minCalls, Closer closer)
            throws Exception {
        SplittableRandom rnd = new SplittableRandom(readers.size() + maxSpins);
        long nextClose = minCalls;
        while (readers.stream().anyMatch(Thread::isAlive)) {
            readers.get(rnd.nextInt(readers.size())).interrupt();
            for (int spin = rnd.nextInt(maxSpins); spin > 0; spin--) {
                Thread.onSpinWait();
            }
            if (calls.get() >= nextClose) {
                nextClose += minCalls + rnd.nextInt(400);
                closer.closeOne(rnd);
            }
        }
    }

    private static RingSocket[] connect() throws Exception {
        return RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
    }
}
