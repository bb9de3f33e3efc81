package dev.ringloom.runtime;

import dev.ringloom.poller.sys.NativeMemory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Interrupts landing on file reads that are in the kernel (O_DIRECT, so every read is a ring op): each read
 * either completes with the right bytes or throws {@link InterruptedIOException}; buffers of abandoned reads
 * are released only at their CQE, and native memory returns to where it started.
 */
class FileInterruptTest {
    static Ringloom ring;

    @BeforeAll
    static void start() throws IOException {
        ring = Ringloom.open();
    }

    @AfterAll
    static void stop() {
        ring.close();
    }

    @Test
    void interruptedDeviceReadsEitherReturnTheRightBytesOrThrowAndLeakNothing() throws Exception {
        Backends.assumeIoUring(ring, "O_DIRECT and the registry");
        Path p = Files.createTempFile(Files.createDirectories(Path.of("target")), "interrupt", ".bin");
        byte[] data = new byte[16 << 20];
        new SplittableRandom(21).nextBytes(data);
        Files.write(p, data);
        ring.trimBuffers();
        long baselineBytes = NativeMemory.reservedBytes();
        long adoptedBefore = ring.stats().abandonedTotal();
        AtomicLong completed = new AtomicLong(), interrupted = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (RingFile f = ring.openFile(p, StandardOpenOption.READ, RingOpenOption.DIRECT)) {
            List<Thread> readers = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                long seed = t;
                readers.add(Thread.ofVirtual().start(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    ByteBuffer buf = ByteBuffer.allocate(8192);
                    while (!stop.get()) {
                        int block = rnd.nextInt(data.length / 8192);
                        buf.clear();
                        try {
                            assertEquals(8192, f.read(buf, block * 8192L));
                            assertArrayEquals(Arrays.copyOfRange(data, block * 8192, block * 8192 + 8192), buf.array());
                            completed.incrementAndGet();
                        } catch (InterruptedIOException e) {
                            assertTrue(Thread.interrupted(), "interrupt status must stay set");
                            assertEquals(0, buf.position(), "an interrupted read consumes nothing");
                            interrupted.incrementAndGet();
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                            return;
                        }
                    }
                }));
            }
            SplittableRandom rnd = new SplittableRandom(5);
            long until = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < until && failure.get() == null) {
                readers.get(rnd.nextInt(readers.size())).interrupt();
                for (int spin = rnd.nextInt(20_000); spin > 0; spin--) {
                    Thread.onSpinWait();
                }
            }
            stop.set(true);
            for (Thread r : readers) {
                r.interrupt();
                r.join();
            }
        } finally {
            Files.delete(p);
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(completed.get() > 0 && interrupted.get() > 0, completed + " completed, " + interrupted + " interrupted");
        long adopted = ring.stats().abandonedTotal() - adoptedBefore;
        assertTrue(adopted > 0, "no interrupt reached a read in the kernel");
        await().atMost(Duration.ofSeconds(10)).until(() -> ring.registrySize() == 0);
        assertEquals(0, ring.inFlight());
        ring.trimBuffers();
        assertEquals(baselineBytes, NativeMemory.reservedBytes());
    }

    /**
     * An open whose thread was interrupted while the kernel opened the file anyway: the fd it produced belongs to
     * nobody, and the poller closes it at the CQE (PITFALLS 2), so no fd is left behind however the interrupts land.
     * (Checked: with that close removed, 20,000 rounds here left 1,050 fds open.)
     */
    @Test
    void opensAbandonedOnInterruptCloseTheFdsTheKernelOpenedAnyway() throws Exception {
        Backends.assumeIoUring(ring, "the registry");
        Path p = Files.createTempFile(Files.createDirectories(Path.of("target")), "open", ".bin");
        long fdsBefore = OpenFds.count();
        java.util.concurrent.atomic.AtomicInteger interrupted = new java.util.concurrent.atomic.AtomicInteger();
        RandomInterrupts.run(2_000, interrupts -> {
            for (int round = 1; round <= 20_000; round++) {
                interrupts.announced.set(round);
                // CREATE: an open that creates never goes the dentry cache's way (CachedOpen), so every one
                // is an openat in the ring, which an interrupt can abandon while the kernel runs it
                try (RingFile f = ring.openFile(p, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
                    assertTrue(f.isOpen());
                } catch (InterruptedIOException e) {
                    interrupted.incrementAndGet();   // abandoned before or while the kernel ran it
                } finally {
                    interrupts.announced.set(-round);
                    Thread.interrupted();
                }
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> ring.registrySize() == 0);
        assertTrue(interrupted.get() > 0, "no open was interrupted: the test checked nothing");
        assertEquals(fdsBefore, OpenFds.count(), "fds left open by opens abandoned in the kernel");
        Files.delete(p);
    }
}
