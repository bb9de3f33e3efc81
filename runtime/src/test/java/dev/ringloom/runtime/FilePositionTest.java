package dev.ringloom.runtime;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The file position follows the bytes on every exit path (PITFALLS 14): a sequential read or write that ends in
 * {@link InterruptedIOException} moved the position by exactly {@code bytesTransferred}, so a caller that goes
 * on from there neither overwrites nor skips a byte. On both backends.
 */
class FilePositionTest {
    private static final long LIMIT = 1L << 30;     // RLIMIT_FSIZE: writes that cross it are cut short
    private static final int ROUNDS = 20_000, WANTED = 20;

    static Ringloom ring;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws IOException {
        ring = Ringloom.open();
    }

    @AfterAll
    static void stop() {
        ring.close();
    }

    @Test
    void aShortWriteCutByAnInterruptMovesThePositionByTheBytesItReports() throws Throwable {
        // On io_uring a write into the page cache is a pwrite on the caller, which no interrupt cuts short: O_DIRECT
        // (whole blocks, under target/, since the temp dir may be tmpfs) sends every write through the ring, where an
        // interrupt cancels what the kernel has not begun. The JDK backend writes a file in pieces and sees an
        // interrupt between two.
        boolean direct = !ring.backendName().equals("jdk");
        int unit = direct ? 4096 : 1;
        Path p = direct ? Files.createTempFile(Files.createDirectories(Path.of("target")), "short-writes", ".bin")
                : dir.resolve("short-writes");
        p.toFile().deleteOnExit();
        byte[] payload = new byte[1 << 20];
        new SplittableRandom(3).nextBytes(payload);
        AtomicInteger cutShort = new AtomicInteger();
        try (FileSizeLimit ignored = FileSizeLimit.of(LIMIT);
             RingFile f = direct ? ring.openFile(p, WRITE, READ, RingOpenOption.DIRECT)
                     : ring.openFile(p, CREATE, WRITE, READ)) {
            RandomInterrupts.run(40_000, interrupts -> {
                SplittableRandom rnd = new SplittableRandom(5);
                for (int round = 1; round <= ROUNDS && cutShort.get() < WANTED; round++) {
                    int room = 64 * 1024 + unit * rnd.nextInt((payload.length - 64 * 1024) / unit);
                    long start = LIMIT - room;
                    f.position(start);
                    ByteBuffer src = ByteBuffer.wrap(payload);
                    long moved;
                    interrupts.announced.set(round);
                    try {
                        moved = f.write(src);
                        assertEquals(room, moved, "the kernel cuts the write at RLIMIT_FSIZE");
                    } catch (InterruptedIOException e) {
                        moved = e.bytesTransferred;
                        if (moved > 0) {
                            cutShort.incrementAndGet();
                        }
                    } finally {
                        interrupts.announced.set(-round);
                        Thread.interrupted();
                    }
                    assertEquals(moved, src.position(), "src advances by the bytes written");
                    assertEquals(start + moved, f.position(), "the position moves by exactly the bytes written");
                }
            });
        }
        Files.deleteIfExists(p);
        assertTrue(cutShort.get() > 0, "no interrupt landed inside a short write in " + ROUNDS + " rounds:"
                + " the test checked nothing");
    }

    @Test
    void anInterruptedSequentialReadMovesThePositionByTheBytesItDelivers() throws Throwable {
        // Under target/, not the temp dir: O_DIRECT needs a disk file system, and /tmp may be tmpfs.
        Path p = Files.createTempFile(Files.createDirectories(Path.of("target")), "reads", ".bin");
        p.toFile().deleteOnExit();
        byte[] data = new byte[8 << 20];
        new SplittableRandom(11).nextBytes(data);
        Files.write(p, data);
        AtomicInteger interrupted = new AtomicInteger(), landed = new AtomicInteger();
        // On io_uring, data in the page cache is read synchronously (preadv2 RWF_NOWAIT), which no interrupt can
        // abandon: O_DIRECT sends every read through the ring. The JDK backend reads a file on the caller through a
        // channel that ignores interrupts (the suite exports sun.nio.ch): an interrupt that lands in a read lets it
        // finish, and the position must move by what it delivered. Without that export a file open for writing is
        // read on a helper, whose reads an interrupt abandons.
        boolean direct = !ring.backendName().equals("jdk");
        boolean readsFinish = !direct && Backends.jdkFileIoOnCaller();
        try (RingFile f = direct ? ring.openFile(p, READ, RingOpenOption.DIRECT)
                : ring.openFile(p, READ, java.nio.file.StandardOpenOption.WRITE)) {
            RandomInterrupts.run(40_000, interrupts -> {
                ByteBuffer dst = ByteBuffer.allocate(256 * 1024);
                for (int round = 1; round <= 2_000; round++) {
                    if (f.position() >= data.length) {
                        f.position(0);
                    }
                    long start = f.position();
                    dst.clear();
                    long moved;
                    interrupts.announced.set(round);
                    try {
                        moved = Math.max(0, f.read(dst));
                    } catch (InterruptedIOException e) {
                        moved = e.bytesTransferred;
                        interrupted.incrementAndGet();
                    } finally {
                        interrupts.announced.set(-round);
                        if (Thread.interrupted()) {
                            landed.incrementAndGet();       // before, during or after the read
                        }
                    }
                    assertEquals(moved, dst.position(), "dst holds exactly the bytes reported");
                    assertEquals(start + moved, f.position(), "the position moves by exactly the bytes read");
                    assertArrayEquals(Arrays.copyOfRange(data, (int) start, (int) (start + moved)),
                            Arrays.copyOf(dst.array(), (int) moved), "the bytes at the old position");
                }
            });
        }
        if (readsFinish) {
            assertTrue(landed.get() > 0, "no interrupt landed: the test checked nothing");
        } else {
            assertTrue(interrupted.get() > 0, "no read was interrupted: the test checked nothing");
        }
    }

    /** The same file seen through FileChannel after the rounds: what was reported written is there. */
    @Test
    void bytesReportedWrittenBeforeAnInterruptAreInTheFile() throws Throwable {
        Path p = dir.resolve("resume");
        byte[] payload = new byte[1 << 20];
        new SplittableRandom(13).nextBytes(payload);
        int room = 300_000;
        try (FileSizeLimit ignored = FileSizeLimit.of(LIMIT); RingFile f = ring.openFile(p, CREATE, WRITE)) {
            f.position(LIMIT - room);
            Thread.currentThread().interrupt();     // set before the call: it must do nothing and say so
            InterruptedIOException e = org.junit.jupiter.api.Assertions.assertThrows(InterruptedIOException.class,
                    () -> f.write(ByteBuffer.wrap(payload)));
            assertTrue(Thread.interrupted());
            assertEquals(0, e.bytesTransferred);
            assertEquals(LIMIT - room, f.position(), "nothing written, the position stays");
            assertEquals(room, f.write(ByteBuffer.wrap(payload)));
        }
        try (FileChannel fc = FileChannel.open(p, READ)) {
            ByteBuffer got = ByteBuffer.allocate(room);
            fc.read(got, LIMIT - room);
            assertArrayEquals(Arrays.copyOf(payload, room), got.array());
        }
    }
}
