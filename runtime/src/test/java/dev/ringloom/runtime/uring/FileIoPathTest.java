package dev.ringloom.runtime.uring;

import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.sys.StatFs;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Which way a file's reads and writes take, from what the kernel says of its file system. */
class FileIoPathTest {
    private static int open(Path path) {
        try (Arena arena = Arena.ofConfined()) {
            int fd = Libc.open(arena.allocateFrom(path.toAbsolutePath().toString()), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
            assertTrue(fd >= 0, "open " + path + ": " + fd);
            return fd;
        }
    }

    private static FileIoPath pathOf(Path file) {
        int fd = open(file);
        try {
            return FileIoPath.choose(fd, true, true);
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void aTmpfsFileIsReadAndWrittenOnTheCallingThread() throws IOException {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm");
        Path p = Files.createTempFile(shm, "ringloom-path", ".bin");
        try {
            int fd = open(p);
            try {
                assertEquals(StatFs.TMPFS_MAGIC, Libc.fileSystemType(fd));
            } finally {
                Libc.close(fd);
            }
            assertEquals(FileIoPath.MEMORY, pathOf(p));
            assertTrue(FileIoPath.MEMORY.readsOnCaller && FileIoPath.MEMORY.writesOnCaller);
        } finally {
            Files.delete(p);
        }
    }

    @Test
    void aProcfsFileHasNoNonBlockingReadsAndGoesThroughTheRingAsNoDeviceOp() {
        FileIoPath path = pathOf(Path.of("/proc/self/cmdline"));
        assertEquals(FileIoPath.RING, path);
        assertTrue(!path.readsReachDevice && !path.asksCacheFirst && !path.readsOnCaller && !path.writesOnCaller);
    }

    @Test
    void aFileOnADiskFileSystemAsksThePageCacheFirstAndIsWrittenOnTheCallingThread() throws IOException {
        Path p = Files.createTempFile(Files.createDirectories(Path.of("target")), "path", ".bin");
        try {
            Files.write(p, new byte[8192]);
            int fd = open(p);
            long type;
            try {
                type = Libc.fileSystemType(fd);
            } finally {
                Libc.close(fd);
            }
            assumeTrue(StatFs.takesNowaitReads(type), "target/ is not on ext4, xfs or btrfs");
            assertEquals(1, nowaitProbe(p), "the probe agrees with the list");
            FileIoPath path = pathOf(p);
            assertEquals(FileIoPath.PAGE_CACHE, path);
            assertTrue(path.readsReachDevice && !path.writesReachDevice, "a refused read is a device read");
            assertTrue(path.writesOnCaller && !path.readsOnCaller, "writes copy into the page cache on the caller");
            int again = open(p);
            try {
                assertEquals(FileIoPath.CACHE_FIRST, FileIoPath.choose(again, true, false),
                        "ringloom.callerWrites=false");
                assertEquals(FileIoPath.PAGE_CACHE, FileIoPath.choose(again, false, true), "a write-only file too");
            } finally {
                Libc.close(again);
            }
        } finally {
            Files.delete(p);
        }
    }

    private static int nowaitProbe(Path p) {
        int fd = open(p);
        try {
            return Libc.nowaitSupported(fd);
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void anOpenMakesNoSystemCallForTheWayUntilAReadIsRefusedOrAWriteComes() {
        FileIoPath unchosen = FileIoPath.atOpen(false, true);
        assertEquals(FileIoPath.UNCHOSEN, unchosen);
        assertTrue(unchosen.asksCacheFirst && unchosen.readsReachDevice && !unchosen.readsOnCaller,
                "reads ask the page cache first, as on a disk file system, and EAGAIN means the device");
        assertEquals(FileIoPath.RING, FileIoPath.atOpen(false, false), "ringloom.nowaitReads=false");
    }

    @Test
    void oDirectIsADeviceOpWhateverTheFileSystem() {
        assertEquals(FileIoPath.DEVICE, FileIoPath.atOpen(true, true));
        assertTrue(FileIoPath.DEVICE.readsReachDevice && FileIoPath.DEVICE.writesReachDevice);
    }

    @Test
    void theProbeSaysSoWhenTheFdCannotBeRead() {
        assertTrue(Libc.nowaitSupported(-1) < 0, "EBADF");
        assertTrue(Libc.fileSystemType(-1) < 0, "EBADF");
    }
}
