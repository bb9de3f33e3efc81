package dev.ringloom.runtime;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TCP on loopback through io_uring: the java.net behaviour users rely on, and ringloom's interrupt/close rules. */
class RingSocketTest {
    static Ringloom ring;

    @BeforeAll
    static void start() throws IOException {
        ring = Ringloom.open();
    }

    @AfterAll
    static void stop() {
        ring.close();
    }

    /** A connected pair on loopback: [0] client side, [1] server side. */
    static RingSocket[] pair(InetAddress loopback) throws Exception {
        return pair(ring, loopback);
    }

    /** A connected pair on loopback through {@code ring}: [0] client side, [1] server side. */
    static RingSocket[] pair(Ringloom ring, InetAddress loopback) throws Exception {
        try (RingServerSocket server = ring.listen(new InetSocketAddress(loopback, 0))) {
            AtomicReference<RingSocket> accepted = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    accepted.set(server.accept());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            RingSocket client = ring.connect(server.localAddress());
            t.join();
            return new RingSocket[]{client, accepted.get()};
        }
    }

    static RingSocket[] pair() throws Exception {
        return pair(InetAddress.getLoopbackAddress());
    }

    static String readString(RingSocket s, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (s.read(b) < 0) {
                break;
            }
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    static void writeString(RingSocket s, String text) throws IOException {
        s.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void bytesCrossInBothDirectionsOverIpv4AndIpv6() throws Exception {
        for (InetAddress lo : new InetAddress[]{InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1")}) {
            RingSocket[] p = pair(lo);
            writeString(p[0], "ping");
            assertEquals("ping", readString(p[1], 4));
            ByteBuffer direct = ByteBuffer.allocateDirect(4).put("pong".getBytes(StandardCharsets.UTF_8)).flip();
            p[1].write(direct);
            assertEquals("pong", readString(p[0], 4));
            assertEquals(p[0].localAddress(), p[1].remoteAddress());
            assertEquals(p[1].localAddress(), p[0].remoteAddress());
            assertEquals(lo, p[0].remoteAddress().getAddress());
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void optionsAreSetInTheKernel() throws Exception {
        RingSocket[] p = pair();
        p[0].setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(p[0].getOption(StandardSocketOptions.TCP_NODELAY));
        p[0].setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        assertTrue(p[0].getOption(StandardSocketOptions.SO_KEEPALIVE));
        p[0].setOption(StandardSocketOptions.SO_LINGER, 5);
        assertEquals(5, p[0].getOption(StandardSocketOptions.SO_LINGER));
        p[0].setOption(StandardSocketOptions.SO_LINGER, -1);
        assertEquals(-1, p[0].getOption(StandardSocketOptions.SO_LINGER));
        p[0].setOption(StandardSocketOptions.SO_RCVBUF, 65536);
        assertTrue(p[0].getOption(StandardSocketOptions.SO_RCVBUF) >= 65536);
        assertThrows(IllegalArgumentException.class, () -> p[0].setOption(StandardSocketOptions.SO_SNDBUF, -1));
        p[0].close();
        p[1].close();
    }

    @Test
    void peerFaultsAndBadInputGiveTheJavaNetExceptions() throws Exception {
        RingServerSocket server = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress bound = server.localAddress();
        BindException inUse = assertThrows(BindException.class, () -> ring.listen(bound));
        if (Backends.namesErrnos(ring)) {
            assertTrue(inUse.getMessage().contains("EADDRINUSE"), inUse.getMessage());
        }
        server.close();
        ConnectException refused = assertThrows(ConnectException.class, () -> ring.connect(bound));
        if (Backends.namesErrnos(ring)) {
            assertTrue(refused.getMessage().contains("ECONNREFUSED"), refused.getMessage());
        }
        assertThrows(UnknownHostException.class,
                () -> ring.connect(InetSocketAddress.createUnresolved("no-such-host.invalid", 80)));
        assertThrows(IllegalArgumentException.class, () -> ring.connect(bound, Duration.ofSeconds(-1)));
    }

    @Test
    void aResetByThePeerFailsReadsAndWrites() throws Exception {
        RingSocket[] p = pair();
        p[1].setOption(StandardSocketOptions.SO_LINGER, 0);   // close sends RST
        p[1].close();
        SocketException reset = assertThrows(SocketException.class, () -> p[0].read(ByteBuffer.allocate(10)));
        if (Backends.namesErrnos(ring)) {
            assertTrue(reset.getMessage().contains("ECONNRESET"), reset.getMessage());
        }
        SocketException broken = assertThrows(SocketException.class, () -> {
            for (int i = 0; i < 100; i++) {
                writeString(p[0], "x".repeat(1000));
            }
        });
        if (Backends.namesErrnos(ring)) {
            assertTrue(broken.getMessage().contains("EPIPE") || broken.getMessage().contains("ECONNRESET"), broken.getMessage());
        }
        p[0].close();
    }

    @Test
    void halfCloseDeliversEndOfStreamAndKeepsTheOtherDirection() throws Exception {
        RingSocket[] p = pair();
        writeString(p[0], "last words");
        p[0].shutdownOutput();
        assertEquals("last words", readString(p[1], 10));
        assertEquals(-1, p[1].read(ByteBuffer.allocate(1)));
        writeString(p[1], "reply");
        assertEquals("reply", readString(p[0], 5));
        p[0].shutdownInput();
        assertEquals(-1, p[0].read(ByteBuffer.allocate(1)));
        p[0].close();
        p[1].close();
    }

    /** The timeout rules are the facades', the same on every backend, for sockets and server sockets alike. */
    @Test
    void soTimeoutRefusesNegativeValuesAndClosedSockets() throws Exception {
        RingSocket[] p = pair();
        RingServerSocket server = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        assertThrows(IllegalArgumentException.class, () -> p[0].setSoTimeout(-1));
        assertThrows(IllegalArgumentException.class, () -> server.setSoTimeout(-1));
        p[0].setSoTimeout(1234);
        server.setSoTimeout(4321);
        assertEquals(1234, p[0].getSoTimeout());
        assertEquals(4321, server.getSoTimeout());
        p[0].close();
        server.close();
        assertEquals("Socket closed", assertThrows(SocketException.class, () -> p[0].setSoTimeout(1)).getMessage());
        assertEquals("Socket closed", assertThrows(SocketException.class, () -> server.setSoTimeout(1)).getMessage());
        p[1].close();
    }

    @Test
    void aReadTimeoutThrowsAndTheSocketStaysUsable() throws Exception {
        RingSocket[] p = pair();
        p[0].setSoTimeout(50);
        assertThrows(SocketTimeoutException.class, () -> p[0].read(ByteBuffer.allocate(10)));
        writeString(p[1], "after");
        assertEquals("after", readString(p[0], 5));
        p[0].close();
        p[1].close();
    }

    @Test
    void anAcceptTimeoutThrows() throws Exception {
        try (RingServerSocket server = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            server.setSoTimeout(50);
            assertThrows(SocketTimeoutException.class, server::accept);
            RingSocket c = ring.connect(server.localAddress());
            server.setSoTimeout(0);
            RingSocket s = server.accept();
            c.close();
            s.close();
        }
    }

    @Test
    void anInterruptedReaderLeavesTheSocketOpenAndLosesNothing() throws Exception {
        RingSocket[] p = pair();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p[0].read(ByteBuffer.allocate(10));
            } catch (IOException e) {
                thrown.set(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ring.inFlight() == 1);
        reader.interrupt();
        reader.join();
        assertInstanceOf(InterruptedIOException.class, thrown.get());
        assertTrue(p[0].isOpen());
        writeString(p[1], "0123456789");
        assertEquals("0123456789", readString(p[0], 10));
        await().atMost(Duration.ofSeconds(10)).until(() -> ring.registrySize() == 0);
        p[0].close();
        p[1].close();
    }

    @Test
    void anInterruptedAcceptorLosesNoConnection() throws Exception {
        try (RingServerSocket server = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    server.accept().close();
                } catch (IOException expected) {
                    // interrupted
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> ring.inFlight() == 1);
            acceptor.interrupt();
            acceptor.join();
            RingSocket c = ring.connect(server.localAddress());
            RingSocket s = server.accept();
            assertEquals(c.localAddress(), s.remoteAddress());
            c.close();
            s.close();
        }
    }

    @Test
    void closeWakesBlockedReadersWritersAndAcceptorsWithSocketClosed() throws Exception {
        RingSocket[] p = pair();
        RingServerSocket server = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    p[0].read(ByteBuffer.allocate(10));
                } catch (IOException e) {
                    errors.add(e);
                }
            }));
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        p[0].write(ByteBuffer.allocate(1 << 20));  // the peer never reads: blocks in the kernel
                    }
                } catch (IOException e) {
                    errors.add(e);
                }
            }));
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    server.accept();
                } catch (IOException e) {
                    errors.add(e);
                }
            }));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> ring.inFlight() == 3);
        p[0].close();
        server.close();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(30, errors.size());
        for (Throwable e : errors) {
            assertInstanceOf(SocketException.class, e);
            assertEquals("Socket closed", e.getMessage());
        }
        assertFalse(p[0].isOpen());
        assertEquals(0, ring.inFlight());
        p[1].close();
    }

    @Test
    void oneMultishotAcceptServesEveryConnection() throws Exception {
        Backends.assumeIoUring(ring, "multishot accept");
        try (RingServerSocket server = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            List<RingSocket> clients = new ArrayList<>();
            clients.add(ring.connect(server.localAddress()));
            List<RingSocket> accepted = new ArrayList<>();
            accepted.add(server.accept());                        // arms the multishot accept
            long completedBefore = ring.stats().completedTotal();
            for (int i = 0; i < 100; i++) {
                clients.add(ring.connect(server.localAddress()));
            }
            for (int i = 0; i < 100; i++) {
                accepted.add(server.accept());
            }
            long completedAfter = ring.stats().completedTotal();
            // the connects completed; the one accept op is still in flight, having posted a CQE per connection
            assertEquals(100, completedAfter - completedBefore, "one accept op for all connections");
            assertEquals(1, ring.inFlight());
            for (int i = 0; i < clients.size(); i++) {
                assertEquals(clients.get(i).localAddress(), accepted.get(i).remoteAddress());
            }
            for (RingSocket s : clients) {
                s.close();
            }
            for (RingSocket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void aLingeringCloseWaitsForThePeerWithoutHoldingUpOtherSockets() throws Exception {
        RingSocket[] lingering = pair();
        lingering[1].setOption(StandardSocketOptions.SO_LINGER, 60);
        assertALingeringCloseHoldsUpNoOtherSocket(lingering[0], lingering[1]);
    }

    /**
     * An accepted socket inherits its listener's SO_LINGER: its lingering close(2) must not run on the poller
     * either, where it would hold up every other socket for the linger time.
     */
    @Test
    void anAcceptedSocketInheritsTheListenersLingerAndItsCloseDoesNotHoldUpOtherSockets() throws Exception {
        Backends.assumeIoUring(ring, "SO_LINGER on a listener (the JDK's ServerSocketChannel refuses it)");
        RingSocket reader, closing;
        try (RingServerSocket server = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            server.setOption(StandardSocketOptions.SO_LINGER, 60);
            AtomicReference<RingSocket> accepted = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    accepted.set(server.accept());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            reader = ring.connect(server.localAddress());
            t.join();
            closing = accepted.get();
        }
        assertEquals(60, closing.getOption(StandardSocketOptions.SO_LINGER), "inherited from the listener");
        assertALingeringCloseHoldsUpNoOtherSocket(reader, closing);
    }

    /**
     * {@code closing} (SO_LINGER 60 s) is closed with unsent bytes its peer {@code reader} does not read yet: the
     * close lingers in close(2) until they are read, and another socket is served meanwhile.
     */
    private static void assertALingeringCloseHoldsUpNoOtherSocket(RingSocket reader, RingSocket closing)
            throws Exception {
        RingSocket[] other = pair();
        try (reader; RingSocket ping = other[0]; RingSocket pong = other[1]) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    closing.write(ByteBuffer.allocate(64 << 20));   // more than the path holds: it blocks
                } catch (IOException expected) {
                    // woken by the close
                }
            });
            await().until(() -> writer.getState() == Thread.State.WAITING);
            AtomicReference<Object> closed = new AtomicReference<>();
            Thread closer = Thread.ofVirtual().start(() -> {
                try {
                    closing.close();
                    closed.set("closed");
                } catch (IOException e) {
                    closed.set(e);
                }
            });
            writer.join();
            pong.setSoTimeout(10_000);
            writeString(ping, "ping");
            assertEquals("ping", readString(pong, 4));
            assertEquals(null, closed.get(), "close returns only once the unsent bytes went out");
            ByteBuffer sink = ByteBuffer.allocateDirect(1 << 20);
            while (reader.read(sink.clear()) >= 0) {
                // drain until the FIN that follows the lingering bytes
            }
            closer.join();
            assertEquals("closed", closed.get());
        }
    }

    @Test
    void aConnectThatGetsNoAnswerTimesOutAndLeavesNothingBehind() throws Exception {
        // A listener whose accept queue is full and never drained: the kernel drops further SYNs, so a connect
        // to it waits for an answer that never comes.
        try (RingServerSocket full = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1)) {
            List<RingSocket> fillers = new ArrayList<>();
            SocketTimeoutException timedOut = null;
            for (int i = 0; i < 8 && timedOut == null; i++) {
                try {
                    fillers.add(ring.connect(full.localAddress(), Duration.ofMillis(300)));
                } catch (SocketTimeoutException e) {
                    timedOut = e;
                }
            }
            assertTrue(timedOut != null, "every connect was answered: the accept queue never filled");
            assertTrue(timedOut.getMessage().contains("timed out"), timedOut.getMessage());
            await().atMost(Duration.ofSeconds(10)).until(() -> ring.inFlight() == 0);
            for (RingSocket s : fillers) {
                s.close();
            }
        }
    }
}
