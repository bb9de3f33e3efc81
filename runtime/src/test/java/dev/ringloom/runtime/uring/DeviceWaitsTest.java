package dev.ringloom.runtime.uring;

import dev.ringloom.poller.IoUringUnavailableException;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.PollerConfig;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.sys.NativeMemory;
import dev.ringloom.poller.uring.IoUringConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How a virtual thread on the JDK's scheduler waits for a device-bound op: it keeps its carrier by yielding while
 * the op is pending — never past an interrupt or the budget, and only while yielding has been the faster way for
 * this file — and platform threads never yield. Pending ops here are one-byte reads of an empty pipe, completed when the test
 * writes the byte; a budget of ten minutes makes any wait that should not have happened a hang the test reports.
 */
class DeviceWaitsTest {
    private static final long TEN_MINUTES = Duration.ofMinutes(10).toNanos();

    private Poller poller;
    private int[] pipe;
    private MemorySegment buf;

    @BeforeEach
    void start() throws IOException {
        try {
            poller = Poller.start(0, PollerConfig.defaults());
        } catch (IoUringUnavailableException e) {
            assumeTrue(false, "io_uring unavailable: " + e.getMessage());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            assertEquals(0, Libc.pipe2(fds, Libc.O_CLOEXEC));
            pipe = new int[]{fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        }
        buf = NativeMemory.allocate(8, 8);
    }

    @AfterEach
    void stop() {
        if (poller != null) {
            poller.close();
            Libc.close(pipe[0]);
            Libc.close(pipe[1]);
            NativeMemory.free(buf);
        }
    }

    /** A read of one byte of the pipe, submitted: pending until {@link #writeByte}. */
    private Op pendingRead() throws IOException {
        Op op = new Op().prepare(IoUringConstants.OP_READ, pipe[0], -1L, buf.address(), 1, 0);
        poller.submit(op);
        return op;
    }

    private void writeByte() {
        assertEquals(1, Libc.write(pipe[1], buf.address() + 4, 1));
    }

    @Test
    void aWaiterOnTheJdkSchedulerKeepsRunningUntilItsOpCompletes() throws Exception {
        DeviceWaits waits = new DeviceWaits(TEN_MINUTES);
        AtomicReference<Op> op = new AtomicReference<>();
        AtomicLong started = new AtomicLong();
        AtomicReference<Boolean> doneOnReturn = new AtomicReference<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                op.set(pendingRead());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            started.set(waits.yieldWhilePending(op.get()));
            doneOnReturn.set(op.get().isDone());
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> op.get() != null && poller.inFlight() == 1);
        // Yielding, it is runnable or running throughout: a thread that parked would read WAITING.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(10))
                .until(() -> waiter.getState() == Thread.State.RUNNABLE);
        writeByte();
        waiter.join();
        assertTrue(doneOnReturn.get(), "returned once the op completed, not at the end of the budget");
        assertNotEquals(DeviceWaits.NOT_TIMED, started.get());
        assertTrue(DeviceWaits.yielded(started.get()));
        assertEquals(1, op.get().await(poller));
    }

    @Test
    void anInterruptEndsTheYieldingAtOnceAndTheAwaitThenAbandonsTheOp() throws Exception {
        DeviceWaits waits = new DeviceWaits(TEN_MINUTES);
        AtomicReference<Op> op = new AtomicReference<>();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                op.set(pendingRead());
                waits.yieldWhilePending(op.get());
                op.get().await(poller);
            } catch (IOException e) {
                thrown.set(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> op.get() != null && poller.inFlight() == 1);
        waiter.interrupt();
        await().atMost(Duration.ofSeconds(10)).until(() -> !waiter.isAlive());
        assertTrue(thrown.get() instanceof InterruptedIOException, String.valueOf(thrown.get()));
        await().atMost(Duration.ofSeconds(10)).until(() -> poller.inFlight() == 0);   // the cancel reached it
    }

    @Test
    void yieldingWaitsLongerThanTheBudgetTurnYieldingOffAndShortOnesTurnItBackOn() throws Exception {
        DeviceWaits waits = new DeviceWaits(TEN_MINUTES);
        assertTrue(waits.yields(), "a file nobody waited on yet yields");
        waits.sample(true, 2 * TEN_MINUTES);
        assertFalse(waits.yields());
        AtomicLong token = new AtomicLong();
        Op op = pendingRead();
        Thread waiter = Thread.ofVirtual().start(() -> token.set(waits.yieldWhilePending(op)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !waiter.isAlive());   // one that yielded: ten minutes
        assertFalse(DeviceWaits.yielded(token.get()));
        assertNotEquals(DeviceWaits.NOT_TIMED, token.get(), "still timed, so the averages follow the load");
        assertFalse(op.isDone());
        for (int i = 0; i < 100 && !waits.yields(); i++) {
            waits.sample(true, 1_000);
        }
        assertTrue(waits.yields());
        writeByte();
        assertEquals(1, op.await(poller));
    }

    @Test
    void waitersParkWhereParkingWasFasterAndStillTryYieldingNowAndThen() throws Exception {
        // With the cores taken, a yielding carrier delays the poller: its waits take longer than parked ones.
        DeviceWaits waits = new DeviceWaits(TEN_MINUTES);
        waits.sample(true, 100_000);
        waits.sample(false, 60_000);
        assertFalse(waits.yields());
        Op done = new Op().prepare(IoUringConstants.OP_NOP, -1, 0, 0, 0, 0);
        poller.submit(done);
        assertEquals(0, done.await(poller));
        AtomicLong yielded = new AtomicLong();
        Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 4096; i++) {
                if (DeviceWaits.yielded(waits.yieldWhilePending(done))) {   // done: a yield ends at once
                    yielded.incrementAndGet();
                }
            }
        }).join();
        assertEquals(32, yielded.get(), "the last 32 waits of 4096 yield, so that a change of load is seen");
        for (int i = 0; i < 100 && !waits.yields(); i++) {
            waits.sample(true, 30_000);
        }
        assertTrue(waits.yields(), "yielding is the way again once its waits are the shorter");
    }

    @Test
    void platformThreadsNeverYieldAndAreNotTimed() throws Exception {
        DeviceWaits waits = new DeviceWaits(TEN_MINUTES);
        AtomicLong started = new AtomicLong();
        Op op = pendingRead();
        Thread waiter = Thread.ofPlatform().start(() -> started.set(waits.yieldWhilePending(op)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !waiter.isAlive());
        assertEquals(DeviceWaits.NOT_TIMED, started.get());
        assertFalse(op.isDone());
        writeByte();
        assertEquals(1, op.await(poller));
    }

    @Test
    void aZeroBudgetNeverYields() throws Exception {
        DeviceWaits waits = new DeviceWaits(0);
        AtomicLong started = new AtomicLong();
        Op op = pendingRead();
        Thread waiter = Thread.ofVirtual().start(() -> started.set(waits.yieldWhilePending(op)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !waiter.isAlive());
        assertEquals(DeviceWaits.NOT_TIMED, started.get());
        writeByte();
        assertEquals(1, op.await(poller));
    }
}
