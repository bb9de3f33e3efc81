package dev.ringloom.io;

import dev.ringloom.runtime.Ringloom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of {@code java.net.Socket}, {@code ServerSocket} and their streams, written once and run against the
 * JDK's own implementation and ringloom's ({@link RingloomSocket}, {@link RingloomServerSocket}, through their
 * factories): every behaviour a caller can observe — results, exceptions and their types, state after the call —
 * must be the same, or this fails. The differences ringloom makes on purpose are in {@link #intendedDifferences}
 * and nowhere else. Runs once per ringloom backend (the suite's two executions).
 */
class SocketContractTest {
    static Ringloom ring;

    /** One implementation of java.net's TCP sockets. */
    record Net(String name, SocketFactory sockets, ServerSocketFactory servers) {
        @Override
        public String toString() {
            return name;
        }

        ServerSocket listen() throws IOException {
            return servers.createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }

        /** [0] connected client, [1] the server side, accepted from a listener of the same implementation. */
        Socket[] pair() throws Exception {
            try (ServerSocket server = listen()) {
                Socket client = sockets.createSocket();
                client.connect(server.getLocalSocketAddress(), 5000);
                return new Socket[]{client, server.accept()};
            }
        }
    }

    @BeforeAll
    static void open() throws IOException {
        ring = Ringloom.open();
    }

    @AfterAll
    static void close() {
        ring.close();
    }

    static Stream<Net> nets() {
        return Stream.of(new Net("jdk", SocketFactory.getDefault(), ServerSocketFactory.getDefault()),
                new Net("ringloom", RingSocketFactory.of(ring), RingServerSocketFactory.of(ring)));
    }

    private static byte[] pattern(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** A virtual thread blocked in {@code call}: what ended its wait, once something did. */
    record Blocked(Thread thread, AtomicReference<Throwable> outcome) {
        Throwable end() throws InterruptedException {
            thread.join();
            return outcome.get();
        }
    }

    interface BlockingCall {
        void run() throws Exception;
    }

    private static Blocked blockedIn(BlockingCall call) {
        AtomicReference<Throwable> got = new AtomicReference<>();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                call.run();
            } catch (Throwable e) {
                got.set(e);
            }
        });
        await().until(() -> t.getState() == Thread.State.WAITING);
        return new Blocked(t, got);
    }

    // ---------------------------------------------------------------- connecting

    @ParameterizedTest
    @MethodSource("nets")
    void aConnectedSocketKnowsBothEnds(Net net) throws Exception {
        Socket[] p = net.pair();
        try (Socket c = p[0]; Socket s = p[1]) {
            assertTrue(c.isConnected() && c.isBound() && !c.isClosed());
            assertEquals(s.getLocalPort(), c.getPort());
            assertEquals(c.getLocalPort(), s.getPort());
            assertEquals(InetAddress.getLoopbackAddress(), c.getInetAddress());
            assertEquals(InetAddress.getLoopbackAddress(), c.getLocalAddress());
            assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort()),
                    c.getRemoteSocketAddress());
        }
    }

    @ParameterizedTest
    @MethodSource("nets")
    void connectingWhereNobodyListensIsRefused(Net net) throws Exception {
        int port;
        try (ServerSocket gone = net.listen()) {
            port = gone.getLocalPort();
        }
        Socket s = net.sockets().createSocket();
        assertThrows(ConnectException.class, () -> s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                port), 2000));
        assertTrue(s.isClosed(), "a failed connect closes the socket");
    }

    @ParameterizedTest
    @MethodSource("nets")
    void connectChecksItsArguments(Net net) throws Exception {
        try (Socket s = net.sockets().createSocket()) {
            assertThrows(IllegalArgumentException.class, () -> s.connect(null));
            assertThrows(IllegalArgumentException.class, () -> s.connect(new InetSocketAddress(
                    InetAddress.getLoopbackAddress(), 1), -1));
            assertThrows(SocketException.class, s::getInputStream, "not connected");
            assertThrows(SocketException.class, s::getOutputStream, "not connected");
        }
    }

    // ---------------------------------------------------------------- streams

    @ParameterizedTest
    @MethodSource("nets")
    void bytesArriveInOrderAndTheEndOfStreamIsMinusOne(Net net) throws Exception {
        byte[] data = pattern(300_000, 1);
        Socket[] p = net.pair();
        try (Socket c = p[0]; Socket s = p[1]) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = c.getOutputStream();
                    out.write(data, 0, 1000);
                    out.write(data[1000]);
                    out.write(data, 1001, data.length - 1001);
                    out.flush();
                    c.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            InputStream in = s.getInputStream();
            assertEquals(0, in.read(new byte[4], 0, 0), "a zero-length read returns at once");
            assertEquals(data[0] & 0xFF, in.read());
            byte[] some = in.readNBytes(9999);
            assertArrayEquals(Arrays.copyOfRange(data, 1, 10_000), some);
            in.skipNBytes(5000);
            byte[] rest = in.readAllBytes();
            assertArrayEquals(Arrays.copyOfRange(data, 15_000, data.length), rest);
            assertEquals(-1, in.read());
            assertEquals(-1, in.read(new byte[10]));
            assertEquals(0, in.available());
            writer.join();
        }
    }

    @ParameterizedTest
    @MethodSource("nets")
    void streamsCheckTheirArguments(Net net) throws Exception {
        Socket[] p = net.pair();
        try (Socket c = p[0]; Socket s = p[1]) {
            InputStream in = s.getInputStream();
            OutputStream out = c.getOutputStream();
            byte[] b = new byte[8];
            assertThrows(IndexOutOfBoundsException.class, () -> in.read(b, -1, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> in.read(b, 4, 5));
            assertThrows(NullPointerException.class, () -> in.read(null, 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> out.write(b, 0, 9));
            assertThrows(NullPointerException.class, () -> out.write(null, 0, 1));
            assertEquals(0, in.skip(-5));
        }
    }

    @ParameterizedTest
    @MethodSource("nets")
    void availableCountsWhatArrivedAndTransferToMovesEverything(Net net) throws Exception {
        Socket[] p = net.pair();
        try (Socket c = p[0]; Socket s = p[1]) {
            c.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            await().until(() -> in.available() == 5);
            c.getOutputStream().write(pattern(100_000, 2));
            c.shutdownOutput();
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            assertEquals(100_005, in.transferTo(sink));
            assertEquals("hello", new String(sink.toByteArray(), 0, 5, StandardCharsets.US_ASCII));
        }
    }

    @ParameterizedTest
    @MethodSource("nets")
    void closingAStreamClosesTheSocketOnce(Net net) throws Exception {
        Socket[] p = net.pair();
        try (Socket c = p[0]; Socket s = p[1]) {
            InputStream in = s.getInputStream();
            in.close();
            assertTrue(s.isClosed());
            in.close();                     // idempotent
            s.close();
            assertThrows(SocketException.class, s::getInputStream);
            assertThrows(SocketException.class, () -> in.read());
            assertEquals(-1, c.getInputStream().read(), "the peer sees the end of stream");
        }
    }

    // ---------------------------------------------------------------- timeouts, close, shutdown

    @ParameterizedTest
    @MethodSource("nets")
    void aReadTimeoutLeavesTheSocketUsable(Net net) throws Exception {
        Socket[] p = net.pair();
        try (Socket c = p[0]; Socket s = p[1]) {
            assertThrows(IllegalArgumentException.class, () -> s.setSoTimeout(-1));
            s.setSoTimeout(50);
            assertEquals(50, s.getSoTimeout());
            InputStream in = s.getInputStream();
            assertThrows(SocketTimeoutException.class, () -> in.read());
            assertFalse(s.isClosed());
            c.getOutputStream().write(42);
            assertEquals(42, in.read());
        }
    }

    @ParameterizedTest
    @MethodSource("nets")
    void aCloseFromAnotherThreadWakesABlockedReader(Net net) throws Exception {
        Socket[] p = net.pair();
        try (Socket c = p[0]; Socket s = p[1]) {
            Blocked reader = blockedIn(() -> s.getInputStream().read());
            s.close();
            assertInstanceOf(SocketException.class, reader.end());
            assertTrue(s.isClosed());
        }
    }

    @ParameterizedTest
    @MethodSource("nets")
    void shutdownInputEndsReadsAndShutdownOutputEndsThePeersStream(Net net) throws Exception {
        Socket[] p = net.pair();
        try (Socket c = p[0]; Socket s = p[1]) {
            InputStream in = s.getInputStream();
            s.shutdownInput();
            assertTrue(s.isInputShutdown());
            assertEquals(-1, in.read());
            assertThrows(SocketException.class, s::getInputStream);
            assertThrows(SocketException.class, s::shutdownInput, "twice");
            s.shutdownOutput();
            assertTrue(s.isOutputShutdown());
            assertEquals(-1, c.getInputStream().read());
            assertThrows(SocketException.class, s::getOutputStream);
        }
    }

    // ---------------------------------------------------------------- options

    @ParameterizedTest
    @MethodSource("nets")
    void everyStandardOptionSetsAndReadsBack(Net net) throws Exception {
        Socket[] p = net.pair();
        try (Socket c = p[0]; Socket s = p[1]) {
            c.setTcpNoDelay(true);
            assertTrue(c.getTcpNoDelay());
            c.setKeepAlive(true);
            assertTrue(c.getKeepAlive());
            c.setSoLinger(true, 7);
            assertEquals(7, c.getSoLinger());
            c.setSoLinger(false, 0);
            assertEquals(-1, c.getSoLinger());
            c.setSendBufferSize(65536);
            assertEquals(65536, c.getSendBufferSize(), "what was set, though the kernel reports double");
            c.setReceiveBufferSize(65536);
            assertEquals(65536, c.getReceiveBufferSize());
            c.setTrafficClass(0x10);
            assertEquals(0x10, c.getTrafficClass());
            c.setReuseAddress(true);
            assertTrue(c.getReuseAddress());
            assertEquals(Boolean.TRUE, c.getOption(StandardSocketOptions.TCP_NODELAY));
            assertTrue(c.supportedOptions().containsAll(RingSocketImpl.OPTIONS));
            assertThrows(IllegalArgumentException.class, () -> c.setSendBufferSize(0));
            assertThrows(IllegalArgumentException.class, () -> c.setTrafficClass(256));
            c.close();
            assertThrows(SocketException.class, () -> c.setTcpNoDelay(true));
        }
    }

    @ParameterizedTest
    @MethodSource("nets")
    void optionsSetBeforeConnectHoldAfterIt(Net net) throws Exception {
        try (ServerSocket server = net.listen(); Socket c = net.sockets().createSocket()) {
            c.setTcpNoDelay(true);
            c.setKeepAlive(true);
            c.setSoTimeout(1234);
            c.connect(server.getLocalSocketAddress());
            try (Socket s = server.accept()) {
                assertTrue(c.getTcpNoDelay());
                assertTrue(c.getKeepAlive());
                assertEquals(1234, c.getSoTimeout());
                assertNotNull(s);
            }
        }
    }

    @Test
    void anUnconnectedSocketReportsTheSameOptionValuesAsTheJdks() throws Exception {
        try (Socket jdk = new Socket(); Socket ours = RingSocketFactory.of(ring).createSocket()) {
            for (var option : RingSocketImpl.OPTIONS) {
                assertEquals(jdk.getOption(option), ours.getOption(option), option.name());
            }
            assertEquals(jdk.getSoLinger(), ours.getSoLinger());
            assertEquals(jdk.getSoTimeout(), ours.getSoTimeout());
        }
    }

    // ---------------------------------------------------------------- server sockets

    @ParameterizedTest
    @MethodSource("nets")
    void anAcceptTimesOutAndTheServerSocketStillAccepts(Net net) throws Exception {
        try (ServerSocket server = net.listen()) {
            assertTrue(server.isBound());
            assertTrue(server.getLocalPort() > 0);
            server.setSoTimeout(50);
            assertEquals(50, server.getSoTimeout());
            assertThrows(SocketTimeoutException.class, server::accept);
            server.setSoTimeout(0);
            try (Socket c = net.sockets().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 Socket s = server.accept()) {
                assertEquals(c.getLocalPort(), s.getPort());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("nets")
    void aCloseFromAnotherThreadWakesABlockedAccept(Net net) throws Exception {
        ServerSocket server = net.listen();
        Blocked acceptor = blockedIn(server::accept);
        server.close();
        assertInstanceOf(SocketException.class, acceptor.end());
        assertTrue(server.isClosed());
        assertThrows(SocketException.class, server::accept);
        server.close();                     // idempotent
    }

    // ---------------------------------------------------------------- the intended differences, all of them

    /**
     * An interrupted virtual thread in a read: the JDK closes the socket ("Closed by interrupt"); ringloom throws
     * {@link InterruptedIOException}, consumes nothing and keeps the socket open, so the next read gets the bytes.
     */
    @Test
    void intendedDifferences() throws Exception {
        for (Net net : nets().toList()) {
            Socket[] p = net.pair();
            try (Socket c = p[0]; Socket s = p[1]) {
                Blocked reader = blockedIn(() -> s.getInputStream().read());
                reader.thread().interrupt();
                Throwable got = reader.end();
                if (net.name().equals("jdk")) {
                    assertInstanceOf(SocketException.class, got);
                    assertTrue(s.isClosed(), "the JDK closes the socket");
                } else {
                    assertInstanceOf(InterruptedIOException.class, got);
                    assertFalse(s.isClosed(), "ringloom keeps it open");
                    c.getOutputStream().write(7);
                    assertEquals(7, s.getInputStream().read(), "and nothing was lost");
                }
            }
        }
    }
}
