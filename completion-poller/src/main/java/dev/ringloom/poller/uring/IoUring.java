package dev.ringloom.poller.uring;

import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.ringloom.poller.uring.IoUringConstants.FEAT_SINGLE_MMAP;
import static dev.ringloom.poller.uring.IoUringConstants.OFF_CQ_RING;
import static dev.ringloom.poller.uring.IoUringConstants.OFF_SQES;
import static dev.ringloom.poller.uring.IoUringConstants.OFF_SQ_RING;
import static dev.ringloom.poller.uring.IoUringConstants.SETUP_CQSIZE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One io_uring instance: its fd, its mmapped SQ and CQ rings and SQE array.
 *
 * <p>Not thread-safe. With {@code IORING_SETUP_SINGLE_ISSUER} the kernel requires that only the creating
 * thread submits; ringloom's poller creates its ring on its own thread and is its only user. {@link #close()}
 * unmaps the rings; the caller must have reaped every CQE first, because the kernel owns every submitted
 * SQE's memory until then.
 */
public final class IoUring implements AutoCloseable {
    private final int fd;
    private final int features;
    private final int setupFlags;
    private final long sqRingAddr, sqRingSize, cqRingAddr, cqRingSize, sqesAddr, sqesSize;
    private final SubmissionQueue sq;
    private final CompletionQueue cq;
    private boolean closed;

    private IoUring(int fd, int setupFlags, MemorySegment params) throws IOException {
        this.fd = fd;
        this.setupFlags = setupFlags;
        this.features = (int) IoUringParams.FEATURES.get(params, 0L);
        int sqEntries = (int) IoUringParams.SQ_ENTRIES.get(params, 0L);
        int cqEntries = (int) IoUringParams.CQ_ENTRIES.get(params, 0L);
        long sqSize = (int) IoUringParams.SQ_ARRAY.get(params, 0L) + 4L * sqEntries;
        long cqSize = (int) IoUringParams.CQ_CQES.get(params, 0L) + Cqe.SIZE * cqEntries;
        boolean singleMmap = (features & FEAT_SINGLE_MMAP) != 0;
        if (singleMmap) {
            sqSize = cqSize = Math.max(sqSize, cqSize);
        }
        long sqAddr = map(fd, sqSize, OFF_SQ_RING, "SQ ring");
        long cqAddr = 0, sqesAddr = 0;
        try {
            cqAddr = singleMmap ? sqAddr : map(fd, cqSize, OFF_CQ_RING, "CQ ring");
            sqesAddr = map(fd, Sqe.SIZE * sqEntries, OFF_SQES, "SQEs");
        } catch (IOException e) {
            if (cqAddr != 0 && cqAddr != sqAddr) {
                Libc.munmap(cqAddr, cqSize);
            }
            Libc.munmap(sqAddr, sqSize);
            throw e;
        }
        this.sqRingAddr = sqAddr;
        this.sqRingSize = sqSize;
        this.cqRingAddr = singleMmap ? 0 : cqAddr; // 0: shared with the SQ mapping
        this.cqRingSize = cqSize;
        this.sqesAddr = sqesAddr;
        this.sqesSize = Sqe.SIZE * sqEntries;
        MemorySegment sqRing = MemorySegment.ofAddress(sqAddr).reinterpret(sqSize);
        MemorySegment cqRing = MemorySegment.ofAddress(cqAddr).reinterpret(cqSize);
        MemorySegment sqes = MemorySegment.ofAddress(sqesAddr).reinterpret(sqesSize);
        this.sq = new SubmissionQueue(sqRing, sqes, params);
        this.cq = new CompletionQueue(cqRing, params);
    }

    /**
     * Creates a ring with {@code sqEntries} SQEs and {@code cqEntries} CQEs.
     *
     * @return the ring, or throws with the errno of {@code io_uring_setup} ({@code EINVAL} for flags the
     * kernel does not know, {@code EPERM} under seccomp or {@code io_uring_disabled}, {@code ENOSYS}
     * without io_uring)
     */
    public static IoUring setup(int sqEntries, int cqEntries, int flags) throws SetupException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(IoUringParams.LAYOUT);
            IoUringParams.FLAGS.set(params, 0L, flags | SETUP_CQSIZE);
            IoUringParams.CQ_ENTRIES.set(params, 0L, cqEntries);
            long fd = Libc.syscall(Libc.SYS_IO_URING_SETUP, sqEntries, params.address(), 0, 0, 0, 0);
            if (fd < 0) {
                throw new SetupException((int) -fd, "io_uring_setup(entries=" + sqEntries + ", flags=0x"
                        + Integer.toHexString(flags) + "): " + Errno.describe((int) fd));
            }
            try {
                return new IoUring((int) fd, flags, params);
            } catch (IOException e) {
                Libc.close((int) fd);
                throw new SetupException(Errno.ENOMEM, e.getMessage());
            }
        }
    }

    private static long map(int fd, long size, long offset, String what) throws IOException {
        long addr = Libc.mmap(0, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, offset);
        if (addr < 0 && addr > -4096) {
            throw Errno.exception("mmap(" + what + ", " + size + " bytes)", (int) addr);
        }
        return addr;
    }

    public int fd() {
        return fd;
    }

    public int features() {
        return features;
    }

    public int setupFlags() {
        return setupFlags;
    }

    public SubmissionQueue sq() {
        return sq;
    }

    public CompletionQueue cq() {
        return cq;
    }

    /**
     * {@code io_uring_enter}: submits {@code toSubmit} SQEs and, with {@code IORING_ENTER_GETEVENTS}, waits for
     * {@code minComplete} CQEs. Returns SQEs consumed, or a negative errno (EINTR, EAGAIN, EBUSY are
     * retryable: the SQEs stay in the ring and are owned by the kernel either way).
     */
    public int enter(int toSubmit, int minComplete, int flags) {
        return (int) Libc.syscall(Libc.SYS_IO_URING_ENTER, fd, toSubmit, minComplete, flags, 0, 0);
    }

    /** {@code io_uring_register}; returns the kernel's result or a negative errno. */
    public int register(int opcode, MemorySegment arg, int nrArgs) {
        return (int) Libc.syscall(Libc.SYS_IO_URING_REGISTER, fd, opcode, arg.address(), nrArgs, 0, 0);
    }

    /** Caps io-wq's bounded and unbounded worker threads for this ring (0 leaves one unchanged). */
    public int limitWorkers(int bounded, int unbounded) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment counts = arena.allocate(JAVA_INT, 2);
            counts.setAtIndex(JAVA_INT, 0, bounded);
            counts.setAtIndex(JAVA_INT, 1, unbounded);
            return register(IoUringConstants.REGISTER_IOWQ_MAX_WORKERS, counts, 2);
        }
    }

    /** Unmaps the rings and closes the fd. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.munmap(sqesAddr, sqesSize);
        if (cqRingAddr != 0) {
            Libc.munmap(cqRingAddr, cqRingSize);
        }
        Libc.munmap(sqRingAddr, sqRingSize);
        Libc.close(fd);
    }

    /** io_uring_setup failed; {@link #errno()} says why. */
    public static final class SetupException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        public SetupException(int errno, String message) {
            super(message);
            this.errno = Math.abs(errno);
        }

        public int errno() {
            return errno;
        }
    }
}
