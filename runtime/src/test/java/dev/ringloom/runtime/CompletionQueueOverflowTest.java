package dev.ringloom.runtime;

import dev.ringloom.poller.PollerConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A completion queue far smaller than the burst of completions (16 entries): the kernel keeps what does not fit
 * (IORING_FEAT_NODROP) and ends multishot ops whose next CQE it cannot post, with a final CQE that still carries
 * a chunk or a connection. Each is armed again, and no byte or connection is lost (PITFALLS 5).
 */
class CompletionQueueOverflowTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static Ringloom tinyCompletionQueue() throws IOException {
        return Ringloom.open(PollerConfig.defaults().withPollers(1).withRing(8, 16));
    }

    private static long overflows(Ringloom ring) {
        return ring.stats().overflowsTotal();
    }

    private static byte streamByte(int stream, long i) {
        return (byte) (i % 251 + stream);
    }

    @Test
    void multishotReceivesEndedByAFullCompletionQueueAreArmedAgainAndLoseNothing() throws Exception {
        try (Ringloom ring = tinyCompletionQueue()) {
            Backends.assumeIoUring(ring, "the ring's completion queue");
            int streams = 32;
            long total = 1 << 20;
            List<RingSocket[]> pairs = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                pairs.add(RingSocketTest.pair(ring, LOOPBACK));
            }
            assumeTrue(pairs.getFirst()[1].receivesIntoProvidedBuffers(), "this kernel has no multishot recv (6.0+)");
            assumeTrue(ring.schedulesOnPollers(), "threads cannot be scheduled on the pollers here");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < streams; s++) {
                int stream = s;
                RingSocket out = pairs.get(s)[0], in = pairs.get(s)[1];
                threads.add(Thread.ofVirtual().start(() -> {
                    ByteBuffer b = ByteBuffer.allocate(16 * 1024);
                    try {
                        for (long sent = 0; sent < total; sent += b.capacity()) {
                            b.clear();
                            for (int i = 0; i < b.capacity(); i++) {
                                b.put(streamByte(stream, sent + i));
                            }
                            out.write(b.flip());
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
                // On the socket's poller, whose threads read through the multishot (off it, the bytes that wait
                // would be read with direct recvs).
                threads.add(ring.ofVirtual(in).start(() -> {
                    ByteBuffer b = ByteBuffer.allocate(3000);   // reads that never line up with the chunks
                    try {
                        for (long got = 0; got < total; ) {
                            int n = in.read(b.clear());
                            assertTrue(n > 0, "end of stream after " + got + " bytes");
                            for (int i = 0; i < n; i++) {
                                if (b.get(i) != streamByte(stream, got + i)) {
                                    throw new AssertionError("stream " + stream + ": byte " + (got + i) + " differs");
                                }
                            }
                            got += n;
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }));
            }
            for (Thread t : threads) {
                assertTrue(t.join(Duration.ofSeconds(60)), "a stream stalled");
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertTrue(overflows(ring) > 0, "the completion queue never overflowed: the test checked nothing");
            for (RingSocket[] p : pairs) {
                p[0].close();
                p[1].close();
            }
        }
    }

    @Test
    void aMultishotAcceptEndedByAFullCompletionQueueIsArmedAgainAndLosesNoConnection() throws Exception {
        try (Ringloom ring = tinyCompletionQueue(); RingServerSocket server = ring.listen(new InetSocketAddress(LOOPBACK, 0), 512)) {
            Backends.assumeIoUring(ring, "the ring's completion queue");
            int clients = 300;
            Set<SocketAddress> accepted = ConcurrentHashMap.newKeySet();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < clients; i++) {
                        RingSocket s = server.accept();
                        accepted.add(s.remoteAddress());
                        s.close();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            List<SocketChannel> connected = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                connected.add(SocketChannel.open(server.localAddress()));   // a burst the acceptor cannot keep up with
            }
            assertTrue(acceptor.join(Duration.ofSeconds(60)), "connections were lost: " + accepted.size() + " accepted");
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            Set<SocketAddress> expected = new HashSet<>();
            for (SocketChannel c : connected) {
                expected.add(c.getLocalAddress());
                c.close();
            }
            assertEquals(expected, accepted, "every connection accepted exactly once");
        }
    }
}
