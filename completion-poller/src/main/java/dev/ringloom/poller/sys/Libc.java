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
 * <p>Each call is linked on its first use, in a holder class of its own ({@code Mmap.HANDLE}): linking costs
 * ~60 ms for the process's first downcall and ~6 ms for each new descriptor after it (measured on JDK 25), so
 * linking all of them up front cost ~290 ms of every start, and a program that opens no socket never pays for the
 * socket calls. The handles stay constants that the JIT inlines.
 *
 * <p>Each wrapper catches {@code Throwable} only because {@code invokeExact} is declared to throw it; a downcall
 * throws nothing checked, and {@link #rethrow} passes errors and runtime exceptions on unchanged.
 */
public final class Libc {
    /** x86_64 and aarch64 syscall numbers of io_uring (the same on both: they were added after unification). */
    public static final long SYS_IO_URING_SETUP = 425, SYS_IO_URING_ENTER = 426, SYS_IO_URING_REGISTER = 427;

    /** Open flags: the generic values, which x86_64 and aarch64 share — all but {@link #O_DIRECT}. */
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_EXCL = 0200,
            O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
    /**
     * O_DIRECT, the one open flag ringloom uses whose value the architectures do not share: 040000 on x86_64 (and the
     * generic table's riscv64, s390x), 0200000 on aarch64 — where 040000 is O_DIRECTORY, and an O_DIRECT open of a
     * file would fail with ENOTDIR — and 0400000 on ppc64le.
     */
    public static final int O_DIRECT = oDirect(System.getProperty("os.arch", ""));
    public static final int PROT_READ = 1, PROT_WRITE = 2;
    public static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_POPULATE = 0x8000;
    /** madvise advice: back the range with transparent huge pages where the kernel's THP mode allows. */
    public static final int MADV_HUGEPAGE = 14;
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

    private static final class Syscall6 {
        static final MethodHandle HANDLE = downcall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                        JAVA_LONG), CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    }

    private static final class Mmap {
        static final MethodHandle HANDLE = downcall("mmap",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
                CAPTURE_ERRNO);
    }

    private static final class Madvise {
        static final MethodHandle HANDLE = downcall("madvise",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class Munmap {
        static final MethodHandle HANDLE = downcall("munmap",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    }

    private static final class Close {
        static final MethodHandle HANDLE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class Eventfd {
        static final MethodHandle HANDLE = downcall("eventfd",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class Write {
        static final MethodHandle HANDLE = downcall("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    }

    private static final class Read {
        static final MethodHandle HANDLE = downcall("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    }

    private static final class Open {
        static final MethodHandle HANDLE = downcall("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO,
                Linker.Option.firstVariadicArg(2));
    }

    private static final class Lseek {
        static final MethodHandle HANDLE = downcall("lseek",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class Pipe2 {
        static final MethodHandle HANDLE = downcall("pipe2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class Ftruncate {
        static final MethodHandle HANDLE = downcall("ftruncate",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG), CAPTURE_ERRNO);
    }
    /**
     * preadv2 with RWF_NOWAIT is only ever a page-cache copy (it fails instead of sleeping on the device or a
     * lock), so a short one is bound as a critical call, whose iovec may be a heap array: no native scratch to
     * allocate per read. A critical call holds off safepoints for as long as it runs, so only copies of up to
     * {@link #CRITICAL_COPY_MAX} bytes go that way; measured here, a cached 1 MiB preadv2 takes ~70 us, a 4 KiB
     * one ~1 us, and the transition a non-critical call adds is within the noise of either (~20 ns). errno is not
     * captured: every failure sends the read through the ring, whose CQE carries the exact error.
     */
    private static final class Preadv2NowaitCritical {
        static final MethodHandle HANDLE = downcall("preadv2",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT),
                Linker.Option.critical(true));
    }

    private static final class Preadv2Nowait {
        static final MethodHandle HANDLE = downcall("preadv2",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT));
    }
    /** preadv2 with errno: {@link #nowaitSupported}'s probe, made once per file. */
    private static final class Preadv2 {
        static final MethodHandle HANDLE = downcall("preadv2",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class Pread {
        static final MethodHandle HANDLE = downcall("pread",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    }

    private static final class Pwrite {
        static final MethodHandle HANDLE = downcall("pwrite",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), CAPTURE_ERRNO);
    }

    private static final class Fstatfs {
        static final MethodHandle HANDLE = downcall("fstatfs",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    }

    /** Largest NOWAIT read made as a critical call (a few microseconds of copying at most). */
    static final long CRITICAL_COPY_MAX = 64 * 1024;
    private static final class Socket {
        static final MethodHandle HANDLE = downcall("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class Bind {
        static final MethodHandle HANDLE = downcall("bind",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class Listen {
        static final MethodHandle HANDLE = downcall("listen",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class Setsockopt {
        static final MethodHandle HANDLE = downcall("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class Getsockopt {
        static final MethodHandle HANDLE = downcall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    }

    private static final class Getsockname {
        static final MethodHandle HANDLE = downcall("getsockname",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    }

    private static final class IoctlInt {
        static final MethodHandle HANDLE = downcall("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), CAPTURE_ERRNO,
                Linker.Option.firstVariadicArg(2));
    }

    private static final class Getpeername {
        static final MethodHandle HANDLE = downcall("getpeername",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), CAPTURE_ERRNO);
    }

    private static final class Shutdown {
        static final MethodHandle HANDLE = downcall("shutdown",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    }
    /**
     * send(MSG_DONTWAIT) does not wait for buffer space, but it can still sleep: it takes the socket lock, which
     * the poller's recv or an io-wq worker may hold, and it may copy up to a MiB. So it is not a critical call
     * (those hold off safepoints while they run); its arguments are plain values and need no heap access.
     */
    private static final class SendNowait {
        static final MethodHandle HANDLE = downcall("send",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    }

    private static final class Recv {
        static final MethodHandle HANDLE = downcall("recv",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    }

    private static final class MallocAligned {
        static final MethodHandle HANDLE = downcall("aligned_alloc",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG));
    }

    private static final class Free {
        static final MethodHandle HANDLE = downcall("free", FunctionDescriptor.ofVoid(JAVA_LONG));
    }

    private Libc() {
    }

    static int oDirect(String arch) {
        return switch (arch) {
            case "aarch64", "arm" -> 0200000;
            case "ppc64le", "ppc64" -> 0400000;
            default -> 040000;
        };
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
            return result((long) Syscall6.HANDLE.invokeExact(cs, number, a1, a2, a3, a4, a5, a6), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mmap; returns the address or a negative errno. */
    public static long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        MemorySegment cs = capture();
        try {
            return result((long) Mmap.HANDLE.invokeExact(cs, addr, length, prot, flags, fd, offset), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** madvise; returns 0 or a negative errno. */
    public static int madvise(long addr, long length, int advice) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Madvise.HANDLE.invokeExact(cs, addr, length, advice), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int munmap(long addr, long length) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Munmap.HANDLE.invokeExact(cs, addr, length), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(int fd) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Close.HANDLE.invokeExact(cs, fd), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int eventfd(int initval, int flags) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Eventfd.HANDLE.invokeExact(cs, initval, flags), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long write(int fd, long buf, long count) {
        MemorySegment cs = capture();
        try {
            return result((long) Write.HANDLE.invokeExact(cs, fd, buf, count), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long read(int fd, long buf, long count) {
        MemorySegment cs = capture();
        try {
            return result((long) Read.HANDLE.invokeExact(cs, fd, buf, count), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** open(2); {@code path} is a NUL-terminated native string. */
    public static int open(MemorySegment path, int flags, int mode) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Open.HANDLE.invokeExact(cs, path, flags, mode), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long lseek(int fd, long offset, int whence) {
        MemorySegment cs = capture();
        try {
            return result((long) Lseek.HANDLE.invokeExact(cs, fd, offset, whence), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int ftruncate(int fd, long length) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Ftruncate.HANDLE.invokeExact(cs, fd, length), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pipe2(2) into {@code fds} (two ints). */
    public static int pipe2(MemorySegment fds, int flags) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Pipe2.HANDLE.invokeExact(cs, fds, flags), cs);
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
                return (long) Preadv2NowaitCritical.HANDLE.invokeExact(fd, MemorySegment.ofArray(iov), 1, offset,
                        RWF_NOWAIT);
            }
            try (Arena arena = Arena.ofConfined()) {     // a long copy: the scratch costs nothing in comparison
                MemorySegment iov = arena.allocate(16, 8);
                iov.set(JAVA_LONG, 0, buf);
                iov.set(JAVA_LONG, 8, len);
                return (long) Preadv2Nowait.HANDLE.invokeExact(fd, iov, 1, offset, RWF_NOWAIT);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pread(2): {@code count} bytes at {@code offset} into {@code buf}; blocks the calling thread until it is done. */
    public static long pread(int fd, long buf, long count, long offset) {
        return positional(Pread.HANDLE, fd, buf, count, offset);
    }

    /** pwrite(2): {@code count} bytes of {@code buf} at {@code offset}; blocks the calling thread until it is done. */
    public static long pwrite(int fd, long buf, long count, long offset) {
        return positional(Pwrite.HANDLE, fd, buf, count, offset);
    }

    /**
     * {@code recv(fd, buf, len, MSG_DONTWAIT)}: what the socket's receive queue holds right now. Returns bytes
     * received, 0 at end of stream, or the negative errno ({@code -EAGAIN}: nothing queued). errno is captured, unlike
     * {@link #sendNoWait}'s: a recv that reports a pending socket error clears it, so the ring's recv after it could
     * not report it again.
     */
    public static long recvNoWait(int fd, long buf, long len) {
        MemorySegment cs = capture();
        try {
            return result((long) Recv.HANDLE.invokeExact(cs, fd, buf, len, MSG_DONTWAIT), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pread or pwrite: the handle is a constant at each caller, so the JIT still inlines the downcall. */
    private static long positional(MethodHandle call, int fd, long buf, long count, long offset) {
        MemorySegment cs = capture();
        try {
            return result((long) call.invokeExact(cs, fd, buf, count, offset), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Whether {@code fd}'s file system takes {@code RWF_NOWAIT} reads at all: a one-byte {@code preadv2} at offset 0,
     * which the kernel refuses with {@code EOPNOTSUPP} before it looks at the data where the file system has no
     * non-blocking reads (procfs, sysfs, overlayfs, FUSE on this kernel). Where it has them the probe copies a byte
     * from the page cache or fails with {@code EAGAIN}; it never waits for the device.
     *
     * @return 1 if supported, 0 if not, or the negative errno of another failure (the fd is not readable)
     */
    public static int nowaitSupported(int fd) {
        MemorySegment cs = capture();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iov = arena.allocate(16, 8);
            iov.set(JAVA_LONG, 0, arena.allocate(8).address());
            iov.set(JAVA_LONG, 8, 1);
            long r = result((long) Preadv2.HANDLE.invokeExact(cs, fd, iov, 1, 0L, RWF_NOWAIT), cs);
            return r >= 0 || r == -Errno.EAGAIN ? 1 : r == -Errno.EOPNOTSUPP ? 0 : (int) r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** openat2(2): the same number on every architecture (the generic table's, 5.6). */
    public static final long SYS_OPENAT2 = 437;
    /** {@code RESOLVE_CACHED} (5.12): the lookup must be answered from the dentry cache, else EAGAIN. */
    public static final long RESOLVE_CACHED = 0x20;

    /**
     * {@code openat2(AT_FDCWD, path, &how, sizeof how)} with {@code RESOLVE_CACHED}: an open that succeeds only when
     * every step of the path's lookup is in the dentry cache, and otherwise fails with EAGAIN instead of reading a
     * directory from the disk — the open that never waits. {@code path} is a NUL-terminated native string;
     * {@code flags} must not hold O_CREAT or O_TRUNC (the kernel answers EAGAIN to those). Made through
     * {@link #syscall}, whose downcall every process links anyway.
     * {@snippet lang=c :
     * struct open_how { __u64 flags; __u64 mode; __u64 resolve; };   // 24 bytes
     * }
     *
     * @return the fd, or a negative errno: EAGAIN (not cached), ENOSYS, EINVAL or E2BIG (a kernel older than 5.12),
     * or the open's own error
     */
    public static int openCached(MemorySegment path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment how = arena.allocate(24, 8);
            how.set(JAVA_LONG, 0, flags & 0xffffffffL);
            how.set(JAVA_LONG, 8, 0);                   // mode: only with O_CREAT, which never comes here
            how.set(JAVA_LONG, 16, RESOLVE_CACHED);
            return (int) syscall(SYS_OPENAT2, AT_FDCWD, path.address(), how.address(), 24, 0, 0);
        }
    }

    /** fstatfs(2)'s {@code f_type} for {@code fd} ({@link StatFs}), or a negative errno. */
    public static long fileSystemType(int fd) {
        MemorySegment cs = capture();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(StatFs.SIZE, 8);
            int r = (int) result((int) Fstatfs.HANDLE.invokeExact(cs, fd, buf), cs);
            return r < 0 ? r : buf.get(JAVA_LONG, StatFs.F_TYPE);
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
            return (int) result((int) Socket.HANDLE.invokeExact(cs, domain, type, protocol), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int bind(int fd, MemorySegment addr, int len) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Bind.HANDLE.invokeExact(cs, fd, addr, len), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int listen(int fd, int backlog) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Listen.HANDLE.invokeExact(cs, fd, backlog), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int setsockopt(int fd, int level, int name, MemorySegment value, int len) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Setsockopt.HANDLE.invokeExact(cs, fd, level, name, value, len), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockopt; {@code len} is an in/out int. */
    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment len) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Getsockopt.HANDLE.invokeExact(cs, fd, level, name, value, len), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockname; {@code len} is an in/out int. */
    public static int getsockname(int fd, MemorySegment addr, MemorySegment len) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Getsockname.HANDLE.invokeExact(cs, fd, addr, len), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code ioctl(fd, FIONREAD)}: bytes in a socket's receive queue, or a negative errno. */
    public static int bytesReadable(int fd) {
        MemorySegment cs = capture();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(JAVA_INT);
            int r = (int) result((int) IoctlInt.HANDLE.invokeExact(cs, fd, FIONREAD, n), cs);
            return r < 0 ? r : n.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getpeername; {@code len} is an in/out int. */
    public static int getpeername(int fd, MemorySegment addr, MemorySegment len) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Getpeername.HANDLE.invokeExact(cs, fd, addr, len), cs);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int shutdown(int fd, int how) {
        MemorySegment cs = capture();
        try {
            return (int) result((int) Shutdown.HANDLE.invokeExact(cs, fd, how), cs);
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
            return (long) SendNowait.HANDLE.invokeExact(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** aligned_alloc; 0 when out of memory. {@code size} must be a multiple of {@code alignment}. */
    public static long alignedAlloc(long alignment, long size) {
        try {
            return (long) MallocAligned.HANDLE.invokeExact(alignment, size);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void free(long address) {
        try {
            Free.HANDLE.invokeExact(address);
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
