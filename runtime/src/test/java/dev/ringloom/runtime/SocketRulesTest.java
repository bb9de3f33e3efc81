package dev.ringloom.runtime;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of a {@link RingSocket} and a {@link RingServerSocket} are the facades', the same on every backend (the
 * suite runs once per backend): what a closed socket answers, the argument checks and which comes first, a call
 * that starts interrupted, a zero-length transfer.
 */
class SocketRulesTest extends WithRing {

    private interface Call {
        void run() throws IOException;
    }

    private static void assertSocketClosed(String what, Call call) {
        SocketException e = assertThrows(SocketException.class, call::run, what);
        assertEquals("Socket closed", e.getMessage(), what);
    }

    @Test
    void everyCallOnAClosedSocketButCloseSaysSocketClosed() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        RingSocket s = p[0];
        s.close();
        assertFalse(s.isOpen());
        assertSocketClosed("read", () -> s.read(ByteBuffer.allocate(8)));
        assertSocketClosed("read of nothing", () -> s.read(ByteBuffer.allocate(0)));
        assertSocketClosed("write", () -> s.write(ByteBuffer.wrap(new byte[]{1})));
        assertSocketClosed("write of nothing", () -> s.write(ByteBuffer.allocate(0)));
        assertSocketClosed("setOption", () -> s.setOption(StandardSocketOptions.TCP_NODELAY, true));
        assertSocketClosed("getOption", () -> s.getOption(StandardSocketOptions.TCP_NODELAY));
        assertSocketClosed("shutdownInput", s::shutdownInput);
        assertSocketClosed("shutdownOutput", s::shutdownOutput);
        assertSocketClosed("localAddress", s::localAddress);
        assertSocketClosed("remoteAddress", s::remoteAddress);
        assertSocketClosed("setSoTimeout", () -> s.setSoTimeout(5));
        s.close();                                  // a second close is a no-op
        p[1].close();
    }

    @Test
    void everyCallOnAClosedServerSocketButCloseSaysSocketClosed() throws Exception {
        RingServerSocket server = ring.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server.close();
        assertFalse(server.isOpen());
        assertSocketClosed("accept", server::accept);
        assertSocketClosed("setOption", () -> server.setOption(StandardSocketOptions.SO_RCVBUF, 4096));
        assertSocketClosed("getOption", () -> server.getOption(StandardSocketOptions.SO_RCVBUF));
        assertSocketClosed("localAddress", server::localAddress);
        assertSocketClosed("setSoTimeout", () -> server.setSoTimeout(5));
        server.close();
    }

    @Test
    void argumentsAreCheckedBeforeTheState() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        p[0].close();
        assertThrows(IllegalArgumentException.class, () -> p[0].read(ByteBuffer.allocate(4).asReadOnlyBuffer()));
        assertThrows(IllegalArgumentException.class, () -> p[0].setSoTimeout(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> p[0].read(new byte[4], 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> p[0].write(new byte[4], -1, 2));
        assertThrows(NullPointerException.class, () -> p[0].setOption(null, 1));
        assertThrows(NullPointerException.class, () -> p[0].getOption(null));
        p[1].close();
    }

    @Test
    void aZeroLengthTransferOnAnOpenSocketReturnsAtOnce() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        try {
            assertEquals(0, p[1].read(ByteBuffer.allocate(0)));     // nothing was sent: it must not wait
            assertEquals(0, p[0].write(ByteBuffer.allocate(0)));
            RingSocketTest.writeString(p[0], "x");
            assertEquals("x", RingSocketTest.readString(p[1], 1));
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void aCallThatStartsInterruptedDoesNothing() throws Exception {
        RingSocket[] p = RingSocketTest.pair(ring, InetAddress.getLoopbackAddress());
        try {
            RingSocketTest.writeString(p[0], "ab");
            Thread.currentThread().interrupt();
            InterruptedIOException read = assertThrows(InterruptedIOException.class,
                    () -> p[1].read(ByteBuffer.allocate(2)));
            assertTrue(Thread.interrupted(), "the interrupt status stays set");
            assertEquals(0, read.bytesTransferred);
            Thread.currentThread().interrupt();
            InterruptedIOException write = assertThrows(InterruptedIOException.class,
                    () -> p[1].write(ByteBuffer.wrap(new byte[]{1, 2, 3})));
            assertTrue(Thread.interrupted());
            assertEquals(0, write.bytesTransferred);
            assertEquals("ab", RingSocketTest.readString(p[1], 2), "the read that did nothing consumed nothing");
            p[1].shutdownOutput();
            assertEquals(-1, p[0].read(ByteBuffer.allocate(1)), "the write that did nothing sent nothing");
            assertTrue(p[1].isOpen());
        } finally {
            p[0].close();
            p[1].close();
        }
    }
}
