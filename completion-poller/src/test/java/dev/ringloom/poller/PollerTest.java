package dev.ringloom.poller;

import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.sys.NativeMemory;
import dev.ringloom.poller.uring.IoUringConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The poller against the real kernel: every op completes exactly once, whatever the ring sizes. */
class PollerTest {
    private Poller poller;

    @BeforeEach
    void start() throws IOException {
        poller = Poller.start(0, new PollerConfig(1, 4, 8, 4, 1, 2000, 0, 1, 0, 4096, 1));
    }

    @AfterEach
    void stop() {
        poller.close();
        assertEquals(0, poller.strayCompletionsTotal(), "a CQE matched no op");
    }

    static int[] pipe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            assertEquals(0, Libc.pipe2(fds, Libc.O_CLOEXEC));
            return new int[]{fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
    }

    static void writeByte(int fd, byte b) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(1);
            one.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, b);
            assertEquals(1, Libc.write(fd, one.address(), 1));
        }
    }

    @Test
    void anIdlePollerStopsSpinningAndSleepsUntilASubmitterWakesIt() {
        // The spin before sleeping is bounded: an idle poller ends up asleep in the kernel, so a submission from
        // another thread has to wake it through the eventfd. A poller that spun forever would never count one.
        long before = poller.wakeupsTotal();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Op nop = new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0);
            poller.submit(nop);
            assertEquals(0, nop.await(poller));
            return poller.wakeupsTotal() > before;
        });
    }

    @Test
    void moreOpsThanTheSubmissionQueueHoldsAllCompleteExactlyOnce() throws Exception {
        int threads = 200, perThread = 200;
        AtomicInteger completed = new AtomicInteger();
        try (ExecutorService vts = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                fs.add(vts.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        Op op = new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0);
                        poller.submit(op);
                        assertEquals(0, op.await(poller));
                        completed.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertEquals(threads * perThread, completed.get());
        assertEquals(0, poller.inFlight());
        assertEquals((long) threads * perThread, poller.completedTotal());
    }

    @Test
    void completionsBeyondTheCompletionQueueCapacityAreNotLost() throws Exception {
        int n = 200;  // CQ holds 8: most of these completions arrive while it is full
        int[][] pipes = new int[n][];
        Op[] ops = new Op[n];
        MemorySegment bufs = NativeMemory.allocate(n, 8);
        try {
            for (int i = 0; i < n; i++) {
                pipes[i] = pipe();
                ops[i] = new Op().prepare(IoUringConstants.OP_READ, pipes[i][0], -1L, bufs.address() + i, 1, 0);
                poller.submitDetached(ops[i]);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> poller.inFlight() == n);
            // The poller is held in a task while every byte is written, so that no enter of its reaps the first
            // completions before the rest arrive: they are all waiting when it next enters, 200 for a CQ of 8.
            // Without the hold a poller that enters between the writes could keep up and never overflow.
            CountDownLatch held = new CountDownLatch(1), release = new CountDownLatch(1);
            poller.execute(() -> {
                held.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            held.await();
            for (int i = 0; i < n; i++) {
                writeByte(pipes[i][1], (byte) i);
            }
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> poller.completedTotal() == n);
            for (int i = 0; i < n; i++) {
                Op op = ops[i];
                assertTrue(op.isDone(), op::toString);
                assertEquals(1, op.result(), op::toString);
                assertEquals((byte) i, bufs.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i));
            }
            assertEquals(n, poller.completedTotal());
            assertTrue(poller.overflowsTotal() > 0, "the CQ should have overflowed at least once");
        } finally {
            NativeMemory.free(bufs);
            for (int[] p : pipes) {
                if (p != null) {
                    Libc.close(p[0]);
                    Libc.close(p[1]);
                }
            }
        }
    }

    @Test
    void deviceReadsQueuedTogetherEachGetTheirOwnEnterAndTheirOwnBytes() throws Exception {
        // One pass drains them all; each read after the first makes the poller submit what it wrote so far (the
        // SQ holds 4 here, so the split also meets a full ring). Every read still completes once, with its block.
        int n = 64, block = 512;
        Path file = Files.createTempFile("ringloom-plug", ".bin");
        byte[] content = new byte[n * block];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i / block);
        }
        Files.write(file, content);
        MemorySegment bufs = NativeMemory.allocate((long) n * block, 8);
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = Libc.open(arena.allocateFrom(file.toString()), Libc.O_RDONLY | Libc.O_CLOEXEC, 0);
        }
        assertTrue(fd >= 0, () -> "open: " + Errno.describe(fd));
        try {
            long submittedBefore = poller.submittedTotal();
            Op[] ops = new Op[n];
            for (int i = 0; i < n; i++) {
                int at = n - 1 - i;                               // backwards: no read-ahead does the work for us
                ops[i] = OpEncoder.read(new Op(), fd, (long) at * block, bufs.address() + (long) at * block, block)
                        .reachesDevice(true);
                poller.submitDetached(ops[i]);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> poller.completedTotal() >= n);
            for (Op op : ops) {
                assertEquals(block, op.result(), op::toString);
            }
            for (int i = 0; i < n * block; i++) {
                assertEquals(content[i], bufs.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i), "byte " + i);
            }
            assertTrue(poller.submittedTotal() - submittedBefore >= n);
        } finally {
            Libc.close(fd);
            NativeMemory.free(bufs);
            Files.delete(file);
        }
    }

    @Test
    void kernelErrorsReachTheWaiterAndThePollerSurvives() throws Exception {
        int[] badFds = {-1, 99_999};
        for (int fd : badFds) {
            Op op = new Op().prepare(IoUringConstants.OP_READ, fd, 0, 0, 0, 0);
            poller.submit(op);
            assertEquals(-Errno.EBADF, op.await(poller));
        }
        Op unknown = new Op().prepare((byte) 200, -1, 0, 0, 0, 0);
        poller.submit(unknown);
        assertEquals(-Errno.EINVAL, unknown.await(poller));
        Op nop = new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0);
        poller.submit(nop);
        assertEquals(0, nop.await(poller));
    }

    @Test
    void interruptedWaitHandsTheBufferToTheRegistryUntilTheKernelCompletes() throws Exception {
        int[] p = pipe();
        long baseline = NativeMemory.reservedBytes();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> interruptStatus = new AtomicReference<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            MemorySegment buf = NativeMemory.allocate(4096, 4096);
            Op op = new Op().prepare(IoUringConstants.OP_READ, p[0], -1L, buf.address(), 4096, 0)
                    .buffer(buf, NativeMemory::free);
            try {
                poller.submit(op);
                op.await(poller);
            } catch (IOException e) {
                thrown.set(e);
                interruptStatus.set(Thread.currentThread().isInterrupted());
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> poller.inFlight() == 1);
        reader.interrupt();
        reader.join();
        assertInstanceOf(InterruptedIOException.class, thrown.get());
        assertTrue(interruptStatus.get());
        await().atMost(Duration.ofSeconds(10)).until(() -> poller.registry().releasedTotal() == 1);
        assertEquals(1, poller.registry().adoptedTotal());
        assertEquals(0, poller.registry().size());
        assertEquals(baseline, NativeMemory.reservedBytes());
        Libc.close(p[0]);
        Libc.close(p[1]);
    }

    @Test
    void closeCancelsWhatIsInFlightAndRefusesNewOps() throws Exception {
        int[] p = pipe();
        Op read = new Op().prepare(IoUringConstants.OP_READ, p[0], -1L, 0, 0, 0);
        MemorySegment buf = NativeMemory.allocate(16, 8);
        read.prepare(IoUringConstants.OP_READ, p[0], -1L, buf.address(), 16, 0);
        poller.submitDetached(read);
        await().atMost(Duration.ofSeconds(10)).until(() -> poller.inFlight() == 1);
        poller.close();
        assertTrue(read.isDone());
        assertEquals(-Errno.ECANCELED, read.result());
        assertFalse(poller.isOpen());
        assertThrows(IOException.class, () -> poller.submit(new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0)));
        NativeMemory.free(buf);
        Libc.close(p[0]);
        Libc.close(p[1]);
    }

    @Test
    void aLinkedTimeoutCancelsAReadThatGetsNoDataAndSparesOneThatDoes() throws Exception {
        int[] p = pipe();
        MemorySegment buf = NativeMemory.allocate(16, 8);
        try {
            Op starved = new Op().prepare(IoUringConstants.OP_READ, p[0], -1L, buf.address(), 16, 0)
                    .linkTimeout(20_000_000L);
            poller.submit(starved);
            assertEquals(-Errno.ECANCELED, starved.await(poller));

            writeByte(p[1], (byte) 7);
            Op fed = new Op().prepare(IoUringConstants.OP_READ, p[0], -1L, buf.address(), 16, 0)
                    .linkTimeout(60_000_000_000L);
            poller.submit(fed);
            assertEquals(1, fed.await(poller));
            assertEquals((byte) 7, buf.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            await().atMost(Duration.ofSeconds(10)).until(() -> poller.inFlight() == 0);
        } finally {
            NativeMemory.free(buf);
            Libc.close(p[0]);
            Libc.close(p[1]);
        }
    }

    @Test
    void aPollerWhoseRingBreaksWakesEveryWaiterAndFreesNothingTheKernelMayTouch() throws Exception {
        int[] p = pipe();
        MemorySegment buf = NativeMemory.allocate(4096, 4096);
        long reservedBefore = NativeMemory.reservedBytes();
        FdHandle handle = new FdHandle(p[0]);
        Op read = new Op().prepare(IoUringConstants.OP_READ, handle.acquire(), -1L, buf.address(), 4096, 0)
                .buffer(buf, NativeMemory::free).fdHandle(handle);
        AtomicReference<Integer> result = new AtomicReference<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                poller.submit(read);
                result.set(read.await(poller));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> poller.inFlight() == 1);
        Libc.close(poller.ringFd());                 // break the ring under the poller
        poller.submitDetached(new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0)); // make it enter
        waiter.join();
        assertEquals(-Errno.EIO, result.get());
        assertTrue(poller.failure() != null && poller.failure().getMessage().contains("EBADF"),
                () -> String.valueOf(poller.failure()));
        assertFalse(poller.isOpen());
        assertThrows(IOException.class, () -> poller.submit(new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0)));
        assertEquals(reservedBefore, NativeMemory.reservedBytes(), "the kernel may still write it: never freed");
        handle.close();
        IOException orphaned = assertThrows(IOException.class, handle::awaitClosed);
        assertTrue(orphaned.getMessage().contains("stays open"), orphaned.getMessage());
        Libc.close(p[1]);
    }

    @Test
    void aTaskThatThrowsIsReportedAndThePollerGoesOn() throws Exception {
        AtomicInteger ranAfter = new AtomicInteger();
        poller.execute(() -> {
            throw new IllegalStateException("a faulty task");
        });
        poller.execute(ranAfter::incrementAndGet);
        await().atMost(Duration.ofSeconds(10)).until(() -> ranAfter.get() == 1);
        assertEquals(1, poller.faultsTotal());
        assertTrue(poller.isOpen());
        Op nop = new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0);
        poller.submit(nop);
        assertEquals(0, nop.await(poller));
    }

    /** An abandoned read whose disposal throws: the poller lives, and the fd reference still goes back. */
    @Test
    void aCompletionHandlerThatThrowsStillFinishesItsOp() throws Exception {
        int[] p = pipe();
        FdHandle handle = new FdHandle(p[0]);
        MemorySegment buf = NativeMemory.allocate(16, 8);
        Op read = new Op() {
            @Override
            protected void onAbandonedCompletion(int res) {
                throw new IllegalStateException("a faulty disposal");
            }
        }.prepare(IoUringConstants.OP_READ, handle.acquire(), -1L, buf.address(), 16, 0)
                .buffer(buf, NativeMemory::free).fdHandle(handle);
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                poller.submit(read);
                read.await(poller);
            } catch (IOException expected) {
                // interrupted: the op is the registry's now
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> poller.inFlight() == 1);
        reader.interrupt();
        reader.join();
        await().atMost(Duration.ofSeconds(10)).until(() -> poller.faultsTotal() == 1);
        assertTrue(poller.isOpen());
        assertTrue(handle.close(), "close had not begun");
        handle.awaitClosed();                        // the CQE's release dropped the op's reference
        assertTrue(handle.isFdClosed());
        Op nop = new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0);
        poller.submit(nop);
        assertEquals(0, nop.await(poller));
        Libc.close(p[1]);
    }

    /** A multishot handler that throws on a CQE with more to come: the op is cancelled, so its waiter learns. */
    @Test
    void aMultishotHandlerThatThrowsEndsItsOpAndThePollerGoesOn() throws Exception {
        int[] p = pipe();
        AtomicInteger calls = new AtomicInteger();
        Op poll = new Op() {
            @Override
            protected void onMultishotCqe(int res, int flags) {
                if (calls.incrementAndGet() == 1) {
                    throw new IllegalStateException("a faulty multishot handler");
                }
            }
        }.prepare(IoUringConstants.OP_POLL_ADD, p[0], 0, 0, IoUringConstants.POLL_ADD_MULTI, 1 /* POLLIN */)
                .multishot();
        AtomicReference<Integer> result = new AtomicReference<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                poller.submit(poll);
                result.set(poll.await(poller));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> poller.inFlight() == 1);
        writeByte(p[1], (byte) 1);
        waiter.join();
        assertEquals(-Errno.ECANCELED, result.get());
        assertEquals(1, poller.faultsTotal());
        assertTrue(poller.isOpen());
        Libc.close(p[0]);
        Libc.close(p[1]);
    }

    /**
     * A submitter that won the race to wake the poller but had not written its 8 bytes yet when the poller ended:
     * the eventfd's number stays the eventfd until that write is done, so the bytes never land in a file that
     * reused the number (PITFALLS 12).
     */
    @Test
    void theWakeUpEventfdOutlivesAWakerThatIsAboutToWriteIt() throws Exception {
        int efd = poller.eventFd();
        Path link = Path.of("/proc/self/fd/" + efd);
        CountDownLatch inside = new CountDownLatch(1), go = new CountDownLatch(1);
        poller.beforeEventFdWrite = () -> {
            poller.beforeEventFdWrite = null;    // only the first waker stops here
            inside.countDown();
            try {
                go.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread waker = Thread.ofPlatform().start(() -> {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Op nop = new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0);
                poller.submitDetached(nop);     // wakes the poller once it sleeps; then this thread stops inside
                return inside.getCount() == 0;
            });
        });
        inside.await();
        poller.close();                          // the poller ends while the waker holds the eventfd's number
        Path reuser = Files.createTempFile("ringloom-reuse", ".bin");
        try (FileChannel file = FileChannel.open(reuser, StandardOpenOption.WRITE)) {
            assertEquals("anon_inode:[eventfd]", Files.readSymbolicLink(link).toString(),
                    "the eventfd was closed while a waker may still write it");
            go.countDown();
            waker.join();
            assertEquals(0, file.size(), "the waker's 8 bytes went into a reused fd");
        } finally {
            Files.delete(reuser);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.isSymbolicLink(link)
                || !Files.readSymbolicLink(link).toString().equals("anon_inode:[eventfd]"));
    }

    /** A task given to execute runs on the poller's own thread: a wait there for the poller is refused at once. */
    @Test
    void aTaskThatWaitsForItsOwnPollerFailsInsteadOfDeadlockingIt() throws Exception {
        int[] p = pipe();
        MemorySegment buf = NativeMemory.allocate(16, 8);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Op read = new Op().prepare(IoUringConstants.OP_READ, p[0], -1L, buf.address(), 16, 0)
                .buffer(buf, NativeMemory::free);
        poller.execute(() -> {
            try {
                poller.submit(read);
                read.await(poller);
            } catch (IOException e) {
                failure.set(e);
            }
            done.countDown();
        });
        assertTrue(done.await(30, java.util.concurrent.TimeUnit.SECONDS), "the poller deadlocked on its own task");
        assertInstanceOf(PollerDeadlockException.class, failure.get());
        assertTrue(failure.get().getMessage().contains("own thread"), failure.get().getMessage());
        await().atMost(Duration.ofSeconds(10)).until(() -> poller.inFlight() == 0);   // cancelled, buffer released
        Op nop = new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0);
        poller.submit(nop);
        assertEquals(0, nop.await(poller));
        Libc.close(p[0]);
        Libc.close(p[1]);
    }

    /** A task that blocks outside ringloom stalls every op of the poller: the watchdog says so, with its stack. */
    @Test
    void aTaskStuckLongerThanTheBoundIsReported() throws Exception {
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("dev.ringloom");
        List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(h);
        String before = System.getProperty("ringloom.stuckTaskMillis");
        System.setProperty("ringloom.stuckTaskMillis", "300");
        CountDownLatch release = new CountDownLatch(1);
        try {
            poller.execute(() -> {
                try {
                    release.await();                         // blocks the poller's thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> records.stream().anyMatch(
                    r -> r.getMessage().contains("poller 0 has been running one task for over 300 ms")
                            && r.getMessage().contains("CountDownLatch.await")));
        } finally {
            release.countDown();
            log.removeHandler(h);
            if (before == null) {
                System.clearProperty("ringloom.stuckTaskMillis");
            } else {
                System.setProperty("ringloom.stuckTaskMillis", before);
            }
        }
        Op nop = new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0);
        poller.submit(nop);
        assertEquals(0, nop.await(poller));
    }

    /**
     * Submitters, cancellers and executors racing {@link Poller#close()}: every op submitted before the close
     * completes (with its result or ECANCELED), every later submit is refused, every task runs (after the end on
     * the orphans' thread), and nothing is written into the fds that reuse the ring's and the eventfd's numbers.
     */
    @Test
    void submitCancelAndExecuteRacingCloseLoseNothingAndTouchNoReusedFd() throws Exception {
        poller.close();
        PollerConfig config = new PollerConfig(1, 8, 16, 4, 1, 0, 0, 1, 0, 4096, 1);
        for (int round = 0; round < 30; round++) {
            Poller p = Poller.start(round, config);
            int[] pipe = pipe();
            AtomicInteger submitted = new AtomicInteger(), completed = new AtomicInteger();
            AtomicInteger executed = new AtomicInteger(), ran = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> racers = new ArrayList<>();
            racers.add(Thread.ofPlatform().start(() -> {        // NOPs until refused
                try {
                    for (;;) {
                        Op nop = new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0);
                        try {
                            p.submit(nop);
                        } catch (IOException refused) {
                            return;
                        }
                        submitted.incrementAndGet();
                        int res = nop.await(p);
                        assertTrue(res == 0 || res == -Errno.ECANCELED, "NOP res " + res);
                        completed.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
            racers.add(Thread.ofPlatform().start(() -> {        // reads that are cancelled at once
                MemorySegment buf = NativeMemory.allocate(8, 8);
                try {
                    for (;;) {
                        Op read = new Op().prepare(IoUringConstants.OP_READ, pipe[0], -1L, buf.address(), 8, 0);
                        try {
                            p.submit(read);
                        } catch (IOException refused) {
                            return;
                        }
                        submitted.incrementAndGet();
                        read.requestCancel(p);
                        assertEquals(-Errno.ECANCELED, read.awaitCancellingOnInterrupt(p));
                        completed.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    NativeMemory.free(buf);                  // every read it submitted has completed
                }
            }));
            racers.add(Thread.ofPlatform().start(() -> {        // tasks until the close, and 64 past it
                int after = 0;
                while (after < 64) {
                    if (!p.isOpen()) {
                        after++;
                    } else if (executed.get() - ran.get() > 1024) {
                        Thread.onSpinWait();                 // a flood proves nothing more than a backlog does
                        continue;
                    }
                    executed.incrementAndGet();
                    p.execute(ran::incrementAndGet);
                }
            }));
            int r = round;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertTrue(
                    completed.get() > 20 && ran.get() > 20 || failure.get() != null,
                    () -> "round " + r + ": submitted " + submitted + ", completed " + completed + ", executed "
                            + executed + ", ran " + ran + ", in flight " + p.inFlight() + ", " + p));
            int efd = p.eventFd();
            p.close();
            // New fds now take the numbers the poller released; nothing may write into them.
            List<Path> reusers = new ArrayList<>();
            List<FileChannel> open = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Path f = Files.createTempFile("ringloom-reuse", ".bin");
                reusers.add(f);
                open.add(FileChannel.open(f, StandardOpenOption.WRITE));
            }
            for (Thread t : racers) {
                assertTrue(t.join(Duration.ofSeconds(30)), "a racer hangs on a closed poller");
            }
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(submitted.get(), completed.get(), "every op submitted completed");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(executed.get(), ran.get(),
                    "every task ran, before or after the end"));
            for (int i = 0; i < reusers.size(); i++) {
                assertEquals(0, open.get(i).size(), "bytes landed in a file that reused fd " + efd + " or the ring's");
                open.get(i).close();
                Files.delete(reusers.get(i));
            }
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
        }
    }
}
