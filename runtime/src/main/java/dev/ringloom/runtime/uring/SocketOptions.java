package dev.ringloom.runtime.uring;


import dev.ringloom.poller.sys.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The socket options ringloom supports and their (level, name) in the kernel: TCP_NODELAY, SO_REUSEADDR,
 * SO_REUSEPORT, SO_RCVBUF, SO_SNDBUF, SO_KEEPALIVE, SO_LINGER. Set and read with setsockopt/getsockopt on the
 * calling thread (they never block). Stateless.
 */
final class SocketOptions {
    static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_LINGER);

    private SocketOptions() {
    }

    private static int[] levelAndName(SocketOption<?> option) {
        if (option == StandardSocketOptions.TCP_NODELAY) {
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

    /** Sets {@code option}; a negative SO_LINGER turns lingering off, as in java.net. */
    static <T> void set(int fd, SocketOption<T> option, T value) throws IOException {
        int[] ln = levelAndName(option);
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
        int[] ln = levelAndName(option);
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
            return option.type() == Boolean.class ? (T) Boolean.valueOf(i != 0) : (T) Integer.valueOf(i);
        }
    }
}
