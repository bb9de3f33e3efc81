package dev.ringloom.runtime;

import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.sys.SockAddr;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** getsockname/getpeername for a socket's fd, under a reference so the fd cannot be closed meanwhile. */
final class SocketAddresses {
    /** Takes a reference on the fd or throws the socket's "closed" exception. */
    @FunctionalInterface
    interface Acquire {
        int fd() throws IOException;
    }

    private SocketAddresses() {
    }

    static InetSocketAddress local(Acquire acquire, FdHandle handle) throws IOException {
        return name(acquire, handle, true);
    }

    static InetSocketAddress remote(Acquire acquire, FdHandle handle) throws IOException {
        return name(acquire, handle, false);
    }

    private static InetSocketAddress name(Acquire acquire, FdHandle handle, boolean local) throws IOException {
        int fd = acquire.fd();
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
