package dev.ringloom.runtime.uring;

import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Opens a file on the calling thread when its path's lookup is in the dentry cache ({@code openat2} with
 * {@code RESOLVE_CACHED}, {@link Libc#openCached}), which is the common case of a server opening files it opened
 * before: a copy of a few cached entries, where the ring's {@code OPENAT} is a hand-off to the poller thread and a
 * wake-up back (open and close measured ~6-20 us through the ring against the JDK's 2.5-4 us). A lookup that would
 * read a directory from the disk answers EAGAIN and goes through the ring, as do opens that create or truncate (the
 * kernel refuses those with {@code RESOLVE_CACHED}). Stateless apart from the one probe of the kernel; thread-safe.
 */
final class CachedOpen {
    private CachedOpen() {
    }

    /** Whether this kernel takes {@code RESOLVE_CACHED} (5.12) and no seccomp filter refuses {@code openat2}. */
    private static final class Probe {
        static final boolean SUPPORTED = probe();

        private static boolean probe() {
            try (Arena arena = Arena.ofConfined()) {
                int fd = Libc.openCached(arena.allocateFrom("/"), Libc.O_RDONLY | Libc.O_CLOEXEC);  // always cached
                if (fd >= 0) {
                    Libc.close(fd);
                }
                return fd >= 0;
            }
        }
    }

    /** True if this kernel takes cached opens; false sends every open through the ring. */
    static boolean supported() {
        return Probe.SUPPORTED;
    }

    /**
     * Tries the open of {@code path} (a NUL-terminated native string) on the calling thread.
     *
     * @return the fd, a negative errno the open itself failed with (ENOENT, EACCES, ...), or {@link #GO_TO_RING}:
     * not cached, an open that creates or truncates, or a kernel without {@code RESOLVE_CACHED}
     */
    static int tryOpen(MemorySegment path, int flags) {
        if ((flags & (Libc.O_CREAT | Libc.O_TRUNC)) != 0 || !Probe.SUPPORTED) {
            return GO_TO_RING;
        }
        int r = Libc.openCached(path, flags);
        return r == -Errno.EAGAIN ? GO_TO_RING : r;
    }

    /** {@link #tryOpen}'s answer when the ring must open the file. */
    static final int GO_TO_RING = Integer.MIN_VALUE;
}
