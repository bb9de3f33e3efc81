package dev.ringloom.poller.sys;

/**
 * {@code struct statfs} as {@code fstatfs(2)} fills it, of which ringloom reads only the file system's type, and the
 * type numbers of the file systems whose files live in memory ({@code <linux/magic.h>}).
 * {@snippet lang=c :
 * struct statfs { __fsword_t f_type; __fsword_t f_bsize; fsblkcnt_t f_blocks; ... };   // 120 bytes on LP64 Linux
 * }
 * Stateless; safe for any thread.
 */
public final class StatFs {
    /** Room for the struct on every LP64 Linux ABI (x86-64 and aarch64: 120 bytes). */
    public static final long SIZE = 128;
    /** {@code f_type}: a {@code long}, first on every LP64 ABI. */
    public static final long F_TYPE = 0;

    public static final long TMPFS_MAGIC = 0x01021994L, RAMFS_MAGIC = 0x858458f6L, HUGETLBFS_MAGIC = 0x958458f6L;

    public static final long EXT4_MAGIC = 0xef53L, XFS_MAGIC = 0x58465342L, BTRFS_MAGIC = 0x9123683eL;

    private StatFs() {
    }

    /**
     * True for the disk file systems known to take {@code RWF_NOWAIT} reads of the page cache (ext2/3/4, which share
     * one magic, xfs, btrfs): a file on them needs no probe. Any other file system is asked ({@code
     * Libc.nowaitSupported}).
     */
    public static boolean takesNowaitReads(long fsType) {
        return fsType == EXT4_MAGIC || fsType == XFS_MAGIC || fsType == BTRFS_MAGIC;
    }

    /**
     * True for a file system whose files are pages of memory, not a cache of a device: tmpfs (and so
     * {@code /dev/shm}), ramfs, hugetlbfs. Reading or writing one of their files is a copy, never a wait for a
     * device (a tmpfs page swapped out is the exception). They also refuse {@code RWF_NOWAIT}, so io_uring hands every
     * read and write of them to an io-wq worker.
     */
    public static boolean holdsFilesInMemory(long fsType) {
        return fsType == TMPFS_MAGIC || fsType == RAMFS_MAGIC || fsType == HUGETLBFS_MAGIC;
    }
}
