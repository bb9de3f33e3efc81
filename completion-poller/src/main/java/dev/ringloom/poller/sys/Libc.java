package dev.ringloom.poller.sys;

import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The libc calls ringloom makes, bound once through the FFM linker.
 *
 * <p>Every wrapper returns the kernel convention: a non-negative result, or a <em>negative errno</em>
 * (errno is captured by the linker in the same call, so no other call can clobber it). That is the same
 * shape a CQE's {@code res} has, so one error path serves both. Stateless apart from a per-thread
 * errno capture segment; safe for any thread.
 *
 * <p>Each wrapper catches {@code Throwable} only because {@code invokeExact} is declared to throw it; a downcall
 * throws nothing checked, and {@link #rethrow} passes errors and runtime exceptions on unchanged.
 */
public final class Libc {
    /** x86_64 and aarch64 syscall numbers of io_uring (the same on both: they were added after unification). */
    public static final long SYS_IO_URING_SETUP = 425, SYS_IO_URING_ENTER = 426, SYS_IO_URING_REGISTER = 427;

    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
            O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_DIRECT = 040000, O_CLOEXEC = 02000000;
    public static final int PROT_READ = 1, PROT_WRITE = 2;
    public static final int MAP_SHARED = 1, MAP_POPULATE = 0x8000;
    public static final int EFD_CLOEXEC = 02000000;
    public static final int SEEK_CUR = 1, SEEK_END = 2;
    public static final int AT_FDCWD = -100;
    /** preadv2 flag: fail with EAGAIN instead of blocking (data not in the page cache). */
    public static final int RWF_NOWAIT = 0x8;
    public static final long MAP_FAILED = -1L;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /**
     * One errno capture segment per platform thread: allocating it per call would cost more than the call. Virtual
     * threads borrow one from {@link #SPARE_CAPTURES} for the call instead: a thread-local would give each of them
     * — one per connection — a segment, a cleaner and a thread-local map for as long as it lives (~300 bytes of an
     * idle connection's cost, measured).
     */
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));
    private static final MpmcVarHandleArrayQueue<MemorySegment> SPARE_CAPTURES = new MpmcVarHandleArrayQueue<>(256);

    private static final MethodHandle SYSCALL6 = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle LSEEK = downcall("lseek",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle PIPE2 = downcall("pipe2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle FTRUNCATE = downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE_ERRNO);
    /**
     * preadv2 with RWF_NOWAIT is only ever a page-cache copy (it fails instead of sleeping on the device or a
     * lock), so a short one is bound as a critical call, whose iovec may be a heap array: no native scratch to
     * allocate per read. A critical call holds off safepoints for as long as it runs, so only copies of up to
     * {@link #CRITICAL_COPY_MAX} bytes go that way; measured here, a cached 1 MiB preadv2 takes ~70 us, a 4 KiB
     * one ~1 us, and the transition a non-critical call adds is within the noise of either (~20 ns). errno is not
     * captured: every failure sends the read through the ring, whose CQE carries the exact error.
     */
    private static final MethodHandle PREADV2_NOWAIT_CRITICAL = downcall("preadv2",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT),
            Linker.Option.critical(true));
    private static final MethodHandle PREADV2_NOWAIT = downcall("preadv2",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
    /** Largest NOWAIT read made as a critical call (a few microseconds of copying at most). */
    static final long CRITICAL_COPY_MAX = 64 * 1024;
    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle BIND = downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle LISTEN = downcall("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle GETSOCKNAME = downcall("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle IOCTL_INT = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO,
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle GETPEERNAME = downcall("getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle SHUTDOWN = downcall("shutdown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    /**
     * send(MSG_DONTWAIT) does not wait for buffer space, but it can still sleep: it takes the socket lock, which
     * the poller's recv or an io-wq worker may hold, and it may copy up to a MiB. So it is not a critical call
     * (those hold off safepoints while they run); its arguments are plain values and need no heap access.
     */
    private static final MethodHandle SEND_NOWAIT = downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MALLOC_ALIGNED = downcall("aligned_alloc",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle FREE = downcall("free", FunctionDescriptor.ofVoid(JAVA_LONG));

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** The calling thread's capture segment for one call; {@link #result} gives a borrowed one back. */
    private static MemorySegment capture() {
        if (!Thread.currentThread().isVirtual()) {
            return CAPTURE.get();
        }
        MemorySegment spare = SPARE_CAPTURES.relaxedPoll();
        return spare != null ? spare : Arena.ofAuto().allocate(CAPTURE_LAYOUT);
    }

    /**
     * The call's result, or the negative errno it captured. A virtual thread reads it on the carrier that made the
     * call (nothing between the two parks), then gives the segment back; one lost to a throwing call is collected.
     */
    private static long result(long ret, MemorySegment capture) {
        long r = ret == -1 ? -(int) ERRNO.get(capture, 0L) : ret;
        if (Thread.currentThread().isVirtual()) {
            SPARE_CAPTURES.relaxedOffer(capture);      // full: dropped, and the garbage collector frees it
        }
        return r;
    }

    public static long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment cs = capture();
        try {
            return result((long) SYSCALL6.invokeExact(cs, number, a1, a2, a3, a4, a5, a6), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mmap; returns the address or a negative errno. */
    public static long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        MemorySegment cs = capture();
        try {
            return result((long) MMAP.invokeExact(cs, addr, length, prot, flags, fd, offset), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int munmap(long addr, long length) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) MUNMAP.invokeExact(cs, addr, length), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(int fd) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) CLOSE.invokeExact(cs, fd), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int eventfd(int initval, int flags) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) EVENTFD.invokeExact(cs, initval, flags), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long write(int fd, long buf, long count) {
        MemorySegment cs = capture();
        try {
            return result((long) WRITE.invokeExact(cs, fd, buf, count), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long read(int fd, long buf, long count) {
        MemorySegment cs = capture();
        try {
            return result((long) READ.invokeExact(cs, fd, buf, count), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** open(2); {@code path} is a NUL-terminated native string. */
    public static int open(MemorySegment path, int flags, int mode) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) OPEN.invokeExact(cs, path, flags, mode), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long lseek(int fd, long offset, int whence) {
        MemorySegment cs = capture();
        try {
            return result((long) LSEEK.invokeExact(cs, fd, offset, whence), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ftruncate(int fd, long length) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) FTRUNCATE.invokeExact(cs, fd, length), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pipe2(2) into {@code fds} (two ints). */
    public static int pipe2(MemorySegment fds, int flags) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) PIPE2.invokeExact(cs, fds, flags), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code preadv2(fd, {buf, len}, 1, offset, RWF_NOWAIT)}: copies only what the page cache holds right now.
     * Returns bytes read, or -1 for any failure, most often EAGAIN (the read would have to wait for the
     * device); the caller then goes through the ring, which reports the real errno if there is one.
     */
    public static long preadv2NoWait(int fd, long buf, long len, long offset) {
        try {
            if (len <= CRITICAL_COPY_MAX) {
                long[] iov = {buf, len};
                return (long) PREADV2_NOWAIT_CRITICAL.invokeExact(fd, MemorySegment.ofArray(iov), 1, offset, RWF_NOWAIT);
            }
            try (Arena arena = Arena.ofConfined()) {     // a long copy: the scratch costs nothing in comparison
                MemorySegment iov = arena.allocate(16, 8);
                iov.set(JAVA_LONG, 0, buf);
                iov.set(JAVA_LONG, 8, len);
                return (long) PREADV2_NOWAIT.invokeExact(fd, iov, 1, offset, RWF_NOWAIT);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static final int AF_INET = 2, AF_INET6 = 10, SOCK_STREAM = 1, SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8,
            SO_KEEPALIVE = 9, SO_LINGER = 13, SO_REUSEPORT = 15;
    public static final int IPPROTO_TCP = 6, TCP_NODELAY = 1, IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26;
    public static final int IPPROTO_IP = 0, IP_TOS = 1, IPV6_TCLASS = 67;
    public static final long FIONREAD = 0x541B;
    public static final int SHUT_RD = 0, SHUT_WR = 1;
    public static final int MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;

    public static int socket(int domain, int type, int protocol) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) SOCKET.invokeExact(cs, domain, type, protocol), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int bind(int fd, MemorySegment addr, int len) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) BIND.invokeExact(cs, fd, addr, len), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int listen(int fd, int backlog) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) LISTEN.invokeExact(cs, fd, backlog), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int setsockopt(int fd, int level, int name, MemorySegment value, int len) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) SETSOCKOPT.invokeExact(cs, fd, level, name, value, len), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockopt; {@code len} is an in/out int. */
    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment len) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) GETSOCKOPT.invokeExact(cs, fd, level, name, value, len), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockname; {@code len} is an in/out int. */
    public static int getsockname(int fd, MemorySegment addr, MemorySegment len) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) GETSOCKNAME.invokeExact(cs, fd, addr, len), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code ioctl(fd, FIONREAD)}: bytes in a socket's receive queue, or a negative errno. */
    public static int bytesReadable(int fd) {
        MemorySegment cs = capture();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(JAVA_INT);
            int r = (int) result((int) IOCTL_INT.invokeExact(cs, fd, FIONREAD, n), cs);
            return r < 0 ? r : n.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getpeername; {@code len} is an in/out int. */
    public static int getpeername(int fd, MemorySegment addr, MemorySegment len) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) GETPEERNAME.invokeExact(cs, fd, addr, len), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int shutdown(int fd, int how) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) SHUTDOWN.invokeExact(cs, fd, how), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL)}: what the socket buffer takes right now. Returns
     * bytes sent, or -1 for any failure (usually EAGAIN: the buffer is full); the caller then sends through the
     * ring, whose CQE carries the exact errno.
     */
    public static long sendNoWait(int fd, long buf, long len) {
        try {
            return (long) SEND_NOWAIT.invokeExact(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** aligned_alloc; 0 when out of memory. {@code size} must be a multiple of {@code alignment}. */
    public static long alignedAlloc(long alignment, long size) {
        try {
            return (long) MALLOC_ALIGNED.invokeExact(alignment, size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void free(long address) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }
}
