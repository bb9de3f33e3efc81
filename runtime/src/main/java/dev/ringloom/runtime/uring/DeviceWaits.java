package dev.ringloom.runtime.uring;

import dev.ringloom.poller.Op;
import dev.ringloom.poller.Poller;

/**
 * How a virtual thread on the JDK's scheduler waits for one file's device-bound op (an O_DIRECT read or write, a
 * read the page cache refused): by yielding its carrier for up to a budget while this file's recent waits were
 * shorter than that budget, and only then parking.
 *
 * <p>Why: the op completes on the poller's thread, and a parked waiter is resumed through the JDK's scheduler. When
 * the waiter was the only work, its carrier parked too, and the poller's unpark must wake that OS thread — on
 * this project's VMs ~30 us, most of a 40 us device read (BENCHMARKS.md, "Files"). A yielding waiter keeps its
 * carrier running (other virtual threads still get it between two yields), so the completion finds it awake.
 * Against a device that answers slower than the budget, or a queue deep enough to make it so, yielding would
 * only burn a core: each file keeps a moving average of what its waits took, and nobody yields while it is above
 * the budget. Threads scheduled on a poller and platform threads never yield here: the first are resumed on the
 * poller's own thread, the second have no carrier to keep.
 *
 * <p>The budget is {@code -Dringloom.deviceSpinMicros} (default 100; 0 turns yielding off). Thread-safe: the
 * average is one racy field, updated by every waiter; a lost update costs only a sample.
 */
final class DeviceWaits {
    /** Process-wide budget in nanoseconds; 0: waiters park at once. */
    static final long BUDGET_NANOS = Math.max(0, Long.getLong("ringloom.deviceSpinMicros", 100)) * 1_000L;

    /** {@link #yieldWhilePending}'s answer for a caller that is not timed. */
    static final long NOT_TIMED = Long.MIN_VALUE;

    /** The average's weight of the newest sample is 1 / 2^SHIFT. */
    private static final int SHIFT = 3;

    private final long budget;
    private volatile long averageNanos;     // 0 until the first sample: the first waits yield

    DeviceWaits(long budgetNanos) {
        this.budget = budgetNanos;
    }

    /**
     * Called after a device-bound op was submitted, before its await: yields while the op is pending, the caller
     * is not interrupted and the budget lasts, if waits like this one have lately been short enough to be worth it.
     *
     * @return the start of the wait for {@link #waited}, or {@link #NOT_TIMED} if the caller is not a waiter that
     * yields
     */
    long yieldWhilePending(Op op) {
        if (budget == 0 || !Poller.currentThreadOnJdkScheduler()) {
            return NOT_TIMED;
        }
        long start = System.nanoTime();
        if (yields()) {
            Thread self = Thread.currentThread();
            while (!op.isDone() && System.nanoTime() - start < budget && !self.isInterrupted()) {
                Thread.yield();
            }
        }
        return start;
    }

    /** True while this file's recent waits were shorter than the budget: the next waiter yields. */
    boolean yields() {
        return averageNanos < budget;
    }

    /** Called once the op's await returned: adds the wait that began at {@code start} to the average. */
    void waited(long start) {
        if (start != NOT_TIMED) {
            long avg = averageNanos;
            averageNanos = avg + ((System.nanoTime() - start - avg) >> SHIFT);
        }
    }
}
