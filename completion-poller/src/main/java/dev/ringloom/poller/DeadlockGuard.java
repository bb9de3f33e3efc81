package dev.ringloom.poller;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a poller's OS thread from ever parking for the poller's own completions, which could never arrive. A task
 * given to {@link Poller#execute} is refused the wait outright; a virtual thread scheduled on the poller registers
 * its wait, because if it is pinned (a class initializer, a native frame) its park does not unmount, and once the
 * {@link PollerWatchdog} finds the poller stuck in that task it {@link #rescue}s the waiter, whose next
 * {@link #afterPark} fails its wait with {@link PollerDeadlockException}.
 *
 * <p>Threads: the batch counter is the poller thread's (a registered waiter runs on that very thread); the current
 * batch is published opaquely for the watchdog; the pinned waiter is a volatile the watchdog sets.
 */
final class DeadlockGuard {
    private static final VarHandle TASK_BATCH;

    static {
        try {
            TASK_BATCH = MethodHandles.lookup().findVarHandle(DeadlockGuard.class, "taskBatch", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int pollerId;
    private final Thread pollerThread;
    private final RunQueue tasks;
    private long batches;                       // task batches begun: poller thread only
    private long taskBatch = -1;                // the batch running now, -1 between batches (opaque; watchdog)
    private volatile Thread pinnedWaiter;       // set by the watchdog: parked pinned on the poller's thread, must fail

    DeadlockGuard(int pollerId, Thread pollerThread, RunQueue tasks) {
        this.pollerId = pollerId;
        this.pollerThread = pollerThread;
        this.tasks = tasks;
    }

    /**
     * Poller thread: runs one batch of tasks, numbered so that a waiter can tell whether it ever unmounted; returns
     * the tasks it ran.
     */
    int runBatch() {
        TASK_BATCH.setOpaque(this, ++batches);
        int ran = tasks.runBatch();
        TASK_BATCH.setOpaque(this, -1L);
        return ran;
    }

    /** Poller thread: the task batches begun so far, the running one included. */
    long batchesBegun() {
        return batches;
    }

    /** @see Poller#beforePark */
    long beforePark(Object what) throws PollerDeadlockException {
        refuseOwnThread(what);
        Thread t = Thread.currentThread();
        if (mountedOnPoller()) {
            if (pinnedWaiter == t) {
                pinnedWaiter = null;                    // a verdict on an earlier wait, not on this one
            }
            tasks.waiterParks(t);
            return batches;
        }
        return -1;
    }

    /** @see Poller#runsCurrentThread */
    boolean mountedOnPoller() {
        return Thread.currentThread().isVirtual() && Carriers.current() == pollerThread;
    }

    /** @see Poller#refuseOwnThread */
    void refuseOwnThread(Object what) throws PollerDeadlockException {
        if (Thread.currentThread() == pollerThread) {
            throw new PollerDeadlockException(what + ": the calling thread is ringloom poller " + pollerId
                    + "'s own thread, which must complete it: the wait would never end (a task given to"
                    + " Poller.execute must not block on ringloom IO)");
        }
    }

    /** @see Poller#afterPark */
    void afterPark(long mark, Object what) throws PollerDeadlockException {
        if (mark >= 0 && pinnedWaiter == Thread.currentThread() && batches == mark) {
            pinnedWaiter = null;
            tasks.waiterLeaves(Thread.currentThread());
            throw new PollerDeadlockException(what + ": this virtual thread is scheduled on ringloom poller "
                    + pollerId + ", which must complete it, and is pinned to it (inside a class initializer or under"
                    + " a native frame), so its wait cannot let the poller run: that is a deadlock of the poller and"
                    + " every socket on it. Do this IO outside the initializer or native call, or on a thread not"
                    + " scheduled on the poller (Thread.ofVirtual())");
        }
    }

    /** @see Poller#afterWait */
    void afterWait(long mark) {
        if (mark >= 0) {
            tasks.waiterLeaves(Thread.currentThread());
        }
    }

    /** Watchdog: the batch running now, or -1 between batches. */
    long taskBatch() {
        return (long) TASK_BATCH.getOpaque(this);
    }

    /** Watchdog: the ringloom waiter mounted in the running task, if any. */
    Thread carrierWaiter() {
        return tasks.carrierWaiter();
    }

    /** Watchdog: {@code waiter} is parked pinned on the poller's thread; wake it to fail its wait. */
    void rescue(Thread waiter) {
        pinnedWaiter = waiter;
        LockSupport.unpark(waiter);
    }
}
