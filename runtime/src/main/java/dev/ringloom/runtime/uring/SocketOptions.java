package dev.ringloom.runtime.uring;


import dev.ringloom.poller.sys.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The socket options ringloom supports and their (level, name) in the kernel: TCP_NODELAY, SO_REUSEADDR,
 * SO_REUSEPORT, SO_RCVBUF, SO_SNDBUF, SO_KEEPALIVE, SO_LINGER. Set and read with setsockopt/getsockopt on the
 * calling thread (they never block). Stateless.
 */
final class SocketOptions {
    static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_LINGER,
            StandardSocketOptions.IP_TOS);

    private SocketOptions() {
    }

    private static int[] levelAndName(int fd, SocketOption<?> option) {
        if (option == StandardSocketOptions.IP_TOS) {
            // The traffic class of the socket's own family, as the JDK sets it (an IPv6 socket's IPV6_TCLASS).
            return family(fd) == Libc.AF_INET6 ? new int[]{Libc.IPPROTO_IPV6, Libc.IPV6_TCLASS}
                    : new int[]{Libc.IPPROTO_IP, Libc.IP_TOS};
        } else if (option == StandardSocketOptions.TCP_NODELAY) {
            return new int[]{Libc.IPPROTO_TCP, Libc.TCP_NODELAY};
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            return new int[]{Libc.SOL_SOCKET, Libc.SO_REUSEADDR};
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            return new int[]{Libc.SOL_SOCKET, Libc.SO_REUSEPORT};
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            return new int[]{Libc.SOL_SOCKET, Libc.SO_RCVBUF};
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            return new int[]{Libc.SOL_SOCKET, Libc.SO_SNDBUF};
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            return new int[]{Libc.SOL_SOCKET, Libc.SO_KEEPALIVE};
        } else if (option == StandardSocketOptions.SO_LINGER) {
            return new int[]{Libc.SOL_SOCKET, Libc.SO_LINGER};
        }
        throw new UnsupportedOperationException("'" + option + "' not supported");
    }

    /** The socket's address family ({@code sa_family} of its local address); AF_INET if it cannot be read. */
    private static int family(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(128, 8), len = arena.allocateFrom(JAVA_INT, 128);
            return Libc.getsockname(fd, addr, len) < 0 ? Libc.AF_INET : addr.get(JAVA_SHORT, 0);
        }
    }

    /** Sets {@code option}; a negative SO_LINGER turns lingering off, as in java.net. */
    static <T> void set(int fd, SocketOption<T> option, T value) throws IOException {
        int[] ln = levelAndName(fd, option);
        if (value == null) {
            throw new IllegalArgumentException("Invalid value 'null'");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v;
            if (option == StandardSocketOptions.SO_LINGER) {
                int secs = (Integer) value;
                v = arena.allocate(JAVA_INT, 2);              // struct linger { int l_onoff; int l_linger; }
                v.setAtIndex(JAVA_INT, 0, secs >= 0 ? 1 : 0);
                v.setAtIndex(JAVA_INT, 1, Math.max(secs, 0));
            } else {
                int i = value instanceof Boolean b ? (b ? 1 : 0) : (Integer) value;
                if ((option == StandardSocketOptions.SO_RCVBUF || option == StandardSocketOptions.SO_SNDBUF) && i <= 0) {
                    throw new IllegalArgumentException("Invalid send/receive buffer size: " + i);
                }
                if (option == StandardSocketOptions.IP_TOS && (i < 0 || i > 255)) {
                    throw new IllegalArgumentException("Invalid IP_TOS value: " + i);
                }
                v = arena.allocateFrom(JAVA_INT, i);
            }
            int r = Libc.setsockopt(fd, ln[0], ln[1], v, (int) v.byteSize());
            if (r < 0) {
                throw SocketErrors.forErrno("setsockopt(" + option.name() + ")", r);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static <T> T get(int fd, SocketOption<T> option) throws IOException {
        int[] ln = levelAndName(fd, option);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT, 2);
            MemorySegment len = arena.allocateFrom(JAVA_INT, 8);
            int r = Libc.getsockopt(fd, ln[0], ln[1], v, len);
            if (r < 0) {
                throw SocketErrors.forErrno("getsockopt(" + option.name() + ")", r);
            }
            if (option == StandardSocketOptions.SO_LINGER) {
                return (T) Integer.valueOf(v.getAtIndex(JAVA_INT, 0) != 0 ? v.getAtIndex(JAVA_INT, 1) : -1);
            }
            int i = v.getAtIndex(JAVA_INT, 0);
            if (option == StandardSocketOptions.SO_RCVBUF || option == StandardSocketOptions.SO_SNDBUF) {
                i /= 2;     // Linux reports double what was set (its bookkeeping share); the JDK halves it back
            }
            return option.type() == Boolean.class ? (T) Boolean.valueOf(i != 0) : (T) Integer.valueOf(i);
        }
    }
}
