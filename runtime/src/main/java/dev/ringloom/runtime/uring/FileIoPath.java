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
    DEVICE(true, true, false, false),
    /**
     * Reads ask the page cache first ({@code preadv2(RWF_NOWAIT)} on the calling thread: a copy, or a refusal), and a
     * refused read goes through the ring as a device read; writes go through the ring.
     */
    CACHE_FIRST(true, false, true, false),
    /**
     * Every read and write goes through the ring, none taken for a device op: {@code ringloom.nowaitReads=false}, or
     * a file system without non-blocking reads that is not memory (overlayfs, FUSE, procfs, sysfs), whose ops may
     * wait for anything and so are the kernel's to wait for, on io-wq.
     */
    RING(false, false, false, false),
    /**
     * A file whose pages are memory (tmpfs, ramfs, hugetlbfs: {@link StatFs#holdsFilesInMemory}): reads and writes
     * are {@code pread} / {@code pwrite} on the calling thread. Each is a copy that never waits for a device, which a
     * ring op would turn into an io-wq hand-off; the one exception is a tmpfs page swapped out, read back while the
     * caller's carrier waits.
     */
    MEMORY(false, false, false, true);

    /** Whether a ring read (a write) of this path goes to the device ({@code PlugLimit}, {@code DeviceWaits}). */
    final boolean readsReachDevice, writesReachDevice;
    /** Whether reads try {@code preadv2(RWF_NOWAIT)} before the ring. */
    final boolean asksCacheFirst;
    /** Whether reads and writes are synchronous calls on the calling thread. */
    final boolean synchronous;

    FileIoPath(boolean readsReachDevice, boolean writesReachDevice, boolean asksCacheFirst, boolean synchronous) {
        this.readsReachDevice = readsReachDevice;
        this.writesReachDevice = writesReachDevice;
        this.asksCacheFirst = asksCacheFirst;
        this.synchronous = synchronous;
    }

    /**
     * The path for the seekable file open as {@code fd}: one {@code fstatfs} and, for a readable file on a file
     * system not known either way, one probe of its {@code RWF_NOWAIT} support ({@link Libc#nowaitSupported}).
     *
     * @param nowaitReads false: {@code ringloom.nowaitReads=false}, every op through the ring
     */
    static FileIoPath choose(int fd, boolean direct, boolean readable, boolean nowaitReads) {
        if (direct) {
            return DEVICE;
        }
        if (!nowaitReads) {
            return RING;
        }
        long fsType = Libc.fileSystemType(fd);
        if (StatFs.holdsFilesInMemory(fsType)) {
            return MEMORY;
        }
        if (StatFs.takesNowaitReads(fsType) || !readable) {
            return CACHE_FIRST;
        }
        return Libc.nowaitSupported(fd) == 0 ? RING : CACHE_FIRST;
    }
}
