package dev.ringloom.runtime.uring;

import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.sys.StatFs;

/**
 * How one seekable file's reads and writes reach the kernel, chosen once when it is opened from what its file
 * system can do. Immutable.
 *
 * <p>Why it matters: io_uring runs a read or write inline only where the file takes non-blocking IO; for a file
 * that does not (tmpfs, procfs, overlayfs, FUSE on this kernel) every op goes to an io-wq worker, a hand-off to a
 * kernel thread and back, which made cached 4 KiB reads of a tmpfs file 0.05-0.2x the JDK's (BENCHMARKS.md).
 */
enum FileIoPath {
    /** O_DIRECT: every read and write is a ring op bound for the device. */
    DEVICE(true, true, false, false, false),
    /**
     * A file on ext4, xfs or btrfs ({@link StatFs#takesNowaitReads}): reads ask the page cache first
     * ({@code preadv2(RWF_NOWAIT)} on the calling thread: a copy, or a refusal), and a refused read goes through the
     * ring as a device read; writes are {@code pwrite} on the calling thread, a copy into the page cache, as long as
     * none is seen to wait ({@link CallerWrites}), else through the ring.
     */
    PAGE_CACHE(true, false, true, false, true),
    /**
     * As {@link #PAGE_CACHE} for reads, on a file system not known to keep its writes local (the probe found
     * non-blocking reads; or a write-only file, which has nothing to probe): writes go through the ring, whose io-wq
     * worker waits if the file system does. So do writes on ext4, xfs and btrfs with
     * {@code ringloom.callerWrites=false}.
     */
    CACHE_FIRST(true, false, true, false, false),
    /**
     * Every read and write goes through the ring, none taken for a device op: {@code ringloom.nowaitReads=false}, or
     * a file system without non-blocking reads that is not memory (overlayfs, FUSE, procfs, sysfs), whose ops may
     * wait for anything and so are the kernel's to wait for, on io-wq.
     */
    RING(false, false, false, false, false),
    /**
     * A file whose pages are memory (tmpfs, ramfs, hugetlbfs: {@link StatFs#holdsFilesInMemory}): reads and writes
     * are {@code pread} / {@code pwrite} on the calling thread. Each is a copy that never waits for a device, which a
     * ring op would turn into an io-wq hand-off; the exceptions are a tmpfs page swapped out, read back while the
     * caller's carrier waits, and a write that waited ({@link CallerWrites}).
     */
    MEMORY(false, false, false, true, true),
    /**
     * Not chosen yet: reads ask the page cache first, as {@link #PAGE_CACHE}, and the first read it refuses (EAGAIN:
     * not cached; EOPNOTSUPP: the file system has no non-blocking reads; the fast call says only "refused"), or the
     * first write, chooses the file's way ({@link #choose}). Why: a file on ext4, xfs or btrfs whose reads the cache
     * answers never pays the {@code fstatfs} the choice costs (0.7 us, a fifth of an open), and a file system
     * without non-blocking reads says so on its first read anyway.
     */
    UNCHOSEN(true, false, true, false, false);

    /** Whether a ring read (a write) of this path goes to the device ({@code PlugLimit}, {@code DeviceWaits}). */
    final boolean readsReachDevice, writesReachDevice;
    /** Whether reads try {@code preadv2(RWF_NOWAIT)} before the ring. */
    final boolean asksCacheFirst;
    /** Whether reads are synchronous calls on the calling thread. */
    final boolean readsOnCaller;
    /** Whether writes are synchronous calls on the calling thread while {@link CallerWrites} lets them. */
    final boolean writesOnCaller;

    FileIoPath(boolean readsReachDevice, boolean writesReachDevice, boolean asksCacheFirst, boolean readsOnCaller,
            boolean writesOnCaller) {
        this.readsReachDevice = readsReachDevice;
        this.writesReachDevice = writesReachDevice;
        this.asksCacheFirst = asksCacheFirst;
        this.readsOnCaller = readsOnCaller;
        this.writesOnCaller = writesOnCaller;
    }

    /**
     * The way of a seekable file as it is opened: {@link #DEVICE} for O_DIRECT, {@link #RING} when non-blocking reads
     * are turned off, else {@link #UNCHOSEN}. Makes no system call.
     *
     * @param nowaitReads false: {@code ringloom.nowaitReads=false}, every op through the ring
     */
    static FileIoPath atOpen(boolean direct, boolean nowaitReads) {
        return direct ? DEVICE : nowaitReads ? UNCHOSEN : RING;
    }

    /**
     * The way of an {@link #UNCHOSEN} file open as {@code fd}, from its file system: one {@code fstatfs} and, for a
     * readable file on a file system not known either way, one probe of its {@code RWF_NOWAIT} support
     * ({@link Libc#nowaitSupported}). Never {@code UNCHOSEN}: an fd the kernel cannot describe
     * is {@code CACHE_FIRST}, whose reads and writes then report the kernel's error.
     *
     * @param callerWrites false: {@code ringloom.callerWrites=false}, writes on ext4, xfs and btrfs through the ring
     */
    static FileIoPath choose(int fd, boolean readable, boolean callerWrites) {
        long fsType = Libc.fileSystemType(fd);
        if (StatFs.holdsFilesInMemory(fsType)) {
            return MEMORY;
        }
        if (StatFs.takesNowaitReads(fsType)) {
            return callerWrites ? PAGE_CACHE : CACHE_FIRST;
        }
        if (!readable) {
            return CACHE_FIRST;
        }
        return Libc.nowaitSupported(fd) == 0 ? RING : CACHE_FIRST;
    }
}
