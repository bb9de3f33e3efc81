package dev.ringloom.runtime.uring;

import dev.ringloom.runtime.RingSocket;
import dev.ringloom.runtime.RingServerSocket;

import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.sys.SockAddr;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A socket's fd, shared by {@link RingSocket} and {@link RingServerSocket}: the calls made on the calling thread
 * (options, addresses, shutdown), each under a reference so the fd cannot be closed — and its number reused —
 * while the call runs. Thread-safe.
 */
final class SocketFd {
    final FdHandle handle;
    private volatile boolean lingerEverSet;     // SO_LINGER was set through us: sockets it accepts inherit it

    SocketFd(int fd) {
        this.handle = new FdHandle(fd);
    }

    /** Takes a reference, or throws {@code SocketException("Socket closed")}. */
    int acquire() throws SocketException {
        try {
            return handle.acquire();
        } catch (ClosedChannelException e) {
            throw SocketErrors.closed(e);
        }
    }

    <T> void setOption(SocketOption<T> option, T value) throws IOException {
        int fd = acquire();
        try {
            SocketOptions.set(fd, option, value);
            if (option == StandardSocketOptions.SO_LINGER) {
                handle.closeMayBlock((Integer) value > 0);   // close(2) then waits for the peer's ACKs
                lingerEverSet = true;
            }
        } finally {
            handle.release();
        }
    }

    /** True once {@code SO_LINGER} was set on this fd (a listener's accepted sockets inherit the value). */
    boolean lingerEverSet() {
        return lingerEverSet;
    }

    /** Reads this fd's {@code SO_LINGER} (inherited from a listener) into the close rule. */
    void learnLinger() throws IOException {
        Integer linger = getOption(StandardSocketOptions.SO_LINGER);
        handle.closeMayBlock(linger != null && linger > 0);
    }

    <T> T getOption(SocketOption<T> option) throws IOException {
        int fd = acquire();
        try {
            return SocketOptions.get(fd, option);
        } finally {
            handle.release();
        }
    }

    /** shutdown(2) with SHUT_RD or SHUT_WR; {@code what} names the Java call in the error. */
    void shutdown(int how, String what) throws IOException {
        int fd = acquire();
        try {
            int r = Libc.shutdown(fd, how);
            if (r < 0) {
                throw SocketErrors.forErrno(what + "(fd=" + fd + ")", r);
            }
        } finally {
            handle.release();
        }
    }

    InetSocketAddress localAddress() throws IOException {
        return name(true);
    }

    InetSocketAddress remoteAddress() throws IOException {
        return name(false);
    }

    private InetSocketAddress name(boolean local) throws IOException {
        int fd = acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE, 8);
            MemorySegment len = arena.allocateFrom(JAVA_INT, SockAddr.MAX_SIZE);
            int r = local ? Libc.getsockname(fd, sa, len) : Libc.getpeername(fd, sa, len);
            if (r < 0) {
                throw SocketErrors.forErrno(local ? "getsockname" : "getpeername", r);
            }
            return SockAddr.read(sa);
        } finally {
            handle.release();
        }
    }
}
