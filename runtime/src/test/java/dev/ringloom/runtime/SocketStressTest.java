package dev.ringloom.runtime;

import dev.ringloom.poller.sys.NativeMemory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket rules under load: echo integrity over many connections, no byte lost or duplicated however
 * often readers and writers are interrupted, and close never confusing one socket's completions with another's.
 */
class SocketStressTest {
    static Ringloom ring;

    @BeforeAll
    static void start() throws IOException {
        ring = Ringloom.open();
    }

    @AfterAll
    static void stop() {
        ring.close();
    }

    /** Byte {@code i} of the test stream {@code seed}: cheap to produce and to check anywhere in the stream. */
    static byte streamByte(long seed, long i) {
        long x = (i + seed) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 29;
        return (byte) (x ^ (x >>> 17));
    }

    static void fillStream(ByteBuffer b, long seed, long from) {
        for (int i = b.position(); i < b.limit(); i++) {
            b.put(i, streamByte(seed, from + i - b.position()));
        }
    }

    /** An echo server whose connection threads run until the test's runtime closes. */
    static RingServerSocket echoServer() throws IOException {
        return echoServer(ring, s -> Thread.ofVirtual(), () -> ByteBuffer.allocate(64 * 1024));
    }

    /**
     * An echo server on {@code ring}: each connection served by a thread from {@code threadFor} (given the
     * accepted socket), echoing through a buffer from {@code buffer}.
     */
    static RingServerSocket echoServer(Ringloom ring, Function<RingSocket, Thread.Builder> threadFor,
            Supplier<ByteBuffer> buffer) throws IOException {
        RingServerSocket server = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    RingSocket s = server.accept();
                    threadFor.apply(s).start(() -> {
                        try (s) {
                            ByteBuffer buf = buffer.get();
                            while (s.read(buf.clear()) >= 0) {
                                s.write(buf.flip());
                            }
                        } catch (IOException e) {
                            // the client went away
                        }
                    });
                }
            } catch (IOException closed) {
                // server closed
            }
        });
        return server;
    }

    @Test
    void aThousandConnectionsEchoRandomSizesFromOneByteToOneMebibyteExactly() throws Exception {
        try (RingServerSocket server = echoServer()) {
            InetSocketAddress addr = server.localAddress();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong bytes = new AtomicLong();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 1000; c++) {
                long seed = c;
                clients.add(Thread.ofVirtual().start(() -> {
                    try (RingSocket s = ring.connect(addr)) {
                        SplittableRandom rnd = new SplittableRandom(seed);
                        int messages = 1 + rnd.nextInt(4);
                        long total = 0;
                        int[] sizes = new int[messages];
                        for (int m = 0; m < messages; m++) {
                            // mostly small, sometimes up to 1 MiB
                            sizes[m] = rnd.nextInt(10) == 0 ? 1 + rnd.nextInt(1 << 20) : 1 + rnd.nextInt(2048);
                            total += sizes[m];
                        }
                        long expected = total;
                        Thread reader = Thread.ofVirtual().start(() -> {
                            ByteBuffer in = ByteBuffer.allocate(32 * 1024);
                            long at = 0;
                            try {
                                while (at < expected) {
                                    in.clear();
                                    int n = s.read(in);
                                    if (n < 0) {
                                        throw new IOException("EOF after " + at + " of " + expected);
                                    }
                                    for (int i = 0; i < n; i++, at++) {
                                        if (in.get(i) != streamByte(seed, at)) {
                                            throw new AssertionError("connection " + seed + ": byte " + at + " differs");
                                        }
                                    }
                                }
                                bytes.addAndGet(at);
                            } catch (Throwable t) {
                                failure.compareAndSet(null, t);
                            }
                        });
                        long at = 0;
                        for (int size : sizes) {
                            ByteBuffer out = ByteBuffer.allocate(size);
                            fillStream(out, seed, at);
                            s.write(out);
                            at += size;
                        }
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
            assertTrue(bytes.get() > 1000);
        }
    }

    @Test
    void aReaderInterruptedOneHundredThousandTimesReceivesTheStreamExactly() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        // The earlier tests' abandoned reads give their buffers back at their CQEs: a baseline taken before that
        // counts memory the trim at the end frees.
        await().atMost(Duration.ofSeconds(10)).until(() -> ring.registrySize() == 0);
        ring.trimBuffers();
        long baseline = NativeMemory.reservedBytes();
        long seed = 42;
        AtomicBoolean stopSending = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread sender = Thread.ofVirtual().start(() -> {
            SplittableRandom rnd = new SplittableRandom(1);
            long at = 0;
            try {
                while (!stopSending.get()) {
                    ByteBuffer out = ByteBuffer.allocate(1 + rnd.nextInt(3000));
                    fillStream(out, seed, at);
                    p[1].write(out);
                    at += out.capacity();
                }
                p[1].shutdownOutput();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        long[] received = new long[1];
        java.util.concurrent.atomic.AtomicLong caught = new java.util.concurrent.atomic.AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread reader = Thread.ofVirtual().start(() -> {
            ByteBuffer in = ByteBuffer.allocate(1500);
            try {
                while (true) {
                    try {
                        in.clear();
                        int n = p[0].read(in);
                        if (n < 0) {
                            break;
                        }
                        for (int i = 0; i < n; i++, received[0]++) {
                            if (in.get(i) != streamByte(seed, received[0])) {
                                throw new AssertionError("byte " + received[0] + " differs");
                            }
                        }
                    } catch (InterruptedIOException e) {
                        Thread.interrupted();
                        assertEquals(0, in.position(), "an interrupted read consumed bytes");
                        caught.incrementAndGet();
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                done.set(true);
            }
        });
        SplittableRandom rnd = new SplittableRandom(2);
        // At least 100k interrupts; more until 1000 of them caught the reader waiting (a read that finds bytes
        // queued returns them and never sees the interrupt, so how many land depends on timing).
        for (int i = 0; (i < 100_000 || caught.get() <= 1000) && i < 10_000_000 && !done.get(); i++) {
            reader.interrupt();
            for (int spin = rnd.nextInt(500); spin > 0; spin--) {
                Thread.onSpinWait();
            }
        }
        stopSending.set(true);
        sender.join();
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(caught.get() > 1000, "only " + caught.get() + " interrupts landed in a read");
        assertTrue(received[0] > 0);
        p[0].close();
        p[1].close();
        await().atMost(Duration.ofSeconds(10)).until(() -> ring.registrySize() == 0);
        ring.trimBuffers();
        assertEquals(baseline, NativeMemory.reservedBytes(), "native memory back to its baseline");
    }

    @Test
    void aWriterInterruptedAtRandomLearnsExactlyWhatWentOutAndThePeerSeesTheStreamExactly() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        interruptAWriterAtRandom(p, 64L << 20, ByteBuffer::allocate, Thread.ofVirtual());
        p[0].close();
        p[1].close();
    }

    /**
     * The same with the writer scheduled on its socket's poller, where every send is a SEND SQE the poller submits
     * with the rest of its pass (no direct send first): the write rules are the same.
     */
    @Test
    void aWriterOnItsPollerInterruptedAtRandomLearnsExactlyWhatWentOutAndThePeerSeesTheStreamExactly()
            throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        interruptAWriterAtRandom(p, 64L << 20, ByteBuffer::allocate, ring.ofVirtual(p[0]));
        p[0].close();
        p[1].close();
    }

    /**
     * A writer on {@code p[0]} sends {@code total} bytes of a stream in buffers of random sizes from {@code buffers}
     * while it is interrupted at random; every {@code bytesTransferred} must be exactly what went out, and the
     * reader on {@code p[1]} must see the stream exactly. The writer is started by {@code writers}.
     */
    static void interruptAWriterAtRandom(RingSocket[] p, long total, IntFunction<ByteBuffer> buffers,
            Thread.Builder writers) throws Exception {
        long seed = 7;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] interrupted = new long[1];
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = writers.start(() -> {
            SplittableRandom rnd = new SplittableRandom(3);
            long at = 0;
            try {
                while (at < total) {
                    ByteBuffer out = buffers.apply((int) Math.min(total - at, 1 + rnd.nextInt(256 * 1024)));
                    fillStream(out, seed, at);
                    while (out.hasRemaining()) {
                        int before = out.position();
                        try {
                            p[0].write(out);
                        } catch (InterruptedIOException e) {
                            Thread.interrupted();
                            assertEquals(out.position() - before, e.bytesTransferred,
                                    "bytesTransferred must be exactly what went out");
                            interrupted[0]++;
                        }
                    }
                    at += out.capacity();
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
                        if (in.get(i) != streamByte(seed, at)) {
                            throw new AssertionError("byte " + at + " differs");
                        }
                    }
                }
                assertEquals(total, at);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        interruptUntil(writer, done, 4);
        writer.join();
        reader.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(interrupted[0] > 0, "no interrupt landed in a write");
    }

    /** Interrupts {@code target} again and again, a random spin apart, until {@code done}. */
    static void interruptUntil(Thread target, AtomicBoolean done, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        while (!done.get()) {
            target.interrupt();
            for (int spin = rnd.nextInt(20_000); spin > 0; spin--) {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void closingUnderBlockedThreadsTenThousandTimesNeverMisdeliversACompletion() throws Exception {
        try (RingServerSocket echo = echoServer()) {
            InetSocketAddress echoAddr = echo.localAddress();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            // Churn: sockets opening, echoing a token unique to them, and closing, reusing fd numbers all along.
            List<Thread> churn = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                long id = c;
                churn.add(Thread.ofVirtual().start(() -> {
                    long round = 0;
                    try {
                        while (!stop.get()) {
                            try (RingSocket s = ring.connect(echoAddr)) {
                                ByteBuffer token = ByteBuffer.allocate(16).putLong(id).putLong(round++).flip();
                                s.write(token.duplicate());
                                ByteBuffer back = ByteBuffer.allocate(16);
                                while (back.hasRemaining() && s.read(back) >= 0) {
                                    // until the 16 bytes are back
                                }
                                if (!back.flip().equals(token)) {
                                    throw new AssertionError("socket got another socket's bytes");
                                }
                            }
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            for (int i = 0; i < 10_000 && failure.get() == null; i++) {
                // the first rounds with 100+ threads; every other round with the threads on the socket's poller
                closeUnderBlockedThreads(i < 2 ? 34 : 1, i % 2 == 1);
            }
            stop.set(true);
            for (Thread t : churn) {
                t.join();
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            // all that remains in the kernel is the echo server's accept: no op of a closed socket lingers
            await().atMost(Duration.ofSeconds(10)).until(() -> ring.inFlight() == 1);
        }
    }

    /**
     * {@code groups} readers, writers and acceptors blocked on one socket pair and one server; close; check. With
     * {@code onPollers} the threads run on the poller of the socket they block on ({@link Ringloom#ofVirtual}).
     */
    private static void closeUnderBlockedThreads(int groups, boolean onPollers) throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        RingServerSocket server = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        Thread.Builder builder = onPollers ? ring.ofVirtual(p[0]) : Thread.ofVirtual();
        for (int g = 0; g < groups; g++) {
            threads.add(builder.start(() -> {
                try {
                    p[0].read(ByteBuffer.allocate(16));
                    errors.add(new AssertionError("read returned on a socket nobody wrote to"));
                } catch (IOException e) {
                    errors.add(e);
                }
            }));
            threads.add(builder.start(() -> {
                try {
                    while (true) {
                        p[0].write(ByteBuffer.allocate(256 * 1024));
                    }
                } catch (IOException e) {
                    errors.add(e);
                }
            }));
            threads.add(builder.start(() -> {
                try {
                    server.accept().close();
                    errors.add(new AssertionError("accept returned with nobody connecting"));
                } catch (IOException e) {
                    errors.add(e);
                }
            }));
        }
        p[0].close();
        server.close();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(3 * groups, errors.size());
        for (Throwable e : errors) {
            assertInstanceOf(SocketException.class, e, () -> "unexpected " + e);
            assertEquals("Socket closed", e.getMessage());
        }
        p[1].close();
    }

    @Test
    void readsTimingOutAllTheTimeLoseNoByte() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        long seed = 99, total = 4 << 20;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread sender = Thread.ofVirtual().start(() -> {
            SplittableRandom rnd = new SplittableRandom(5);
            long at = 0;
            try {
                while (at < total) {
                    ByteBuffer out = ByteBuffer.allocate((int) Math.min(total - at, 1 + rnd.nextInt(4000)));
                    fillStream(out, seed, at);
                    p[1].write(out);
                    at += out.capacity();
                    if (rnd.nextInt(50) == 0) {
                        // a pause well past the reader's 1 ms timeout, so reads time out for sure
                        java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                    } else {
                        for (int spin = rnd.nextInt(30_000); spin > 0; spin--) {
                            Thread.onSpinWait();   // short uneven gaps: timeouts race with arriving data
                        }
                    }
                }
                p[1].shutdownOutput();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        p[0].setSoTimeout(1);
        ByteBuffer in = ByteBuffer.allocate(3000);
        long received = 0, timeouts = 0;
        while (true) {
            try {
                in.clear();
                int n = p[0].read(in);
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++, received++) {
                    if (in.get(i) != streamByte(seed, received)) {
                        throw new AssertionError("byte " + received + " differs");
                    }
                }
            } catch (java.net.SocketTimeoutException e) {
                assertEquals(0, in.position(), "a timed-out read consumed bytes");
                timeouts++;
            }
        }
        sender.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(total, received);
        assertTrue(timeouts > 0, "no read ever timed out");
        p[0].close();
        p[1].close();
    }
}
