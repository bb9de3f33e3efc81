package dev.ringloom.runtime.uring;

import dev.ringloom.poller.Op;
import dev.ringloom.poller.Poller;

/**
 * How a virtual thread on the JDK's scheduler waits for one file's device-bound op (an O_DIRECT read or write, a
 * read the page cache refused): by yielding its carrier while the op is pending, for up to a budget, where that
 * has lately made this file's waits shorter than parking at once — and else by parking at once.
 *
 * <p>Why: the op completes on the poller's thread, and a parked waiter is resumed through the JDK's scheduler. When
 * the waiter was the only work, its carrier parked too, and the poller's unpark must wake that OS thread — on
 * this project's VMs ~30 us, most of a 40 us device read (BENCHMARKS.md, "Files"). A yielding waiter keeps its
 * carrier running (other virtual threads still get it between two yields), so the completion finds it awake. But
 * a yielding carrier is a busy OS thread: where the cores are taken (another process, more runnable threads than
 * cores) it takes CPU from the poller that must reap the completion, and at one thread with the other core busy
 * it made reads 1.8x slower. So each file keeps two moving averages of its waits, of those that yielded and of
 * those that parked, and a waiter yields only if yielding is the faster by an eighth and well within the budget.
 * The way not chosen is probed in rounds: of every 4096 waits the last 32 go that way, so that the averages
 * follow a load that changes (within ~0.2 s of reads at 20k a second) while the slower way costs under 1 % of the
 * waits. A probe is a run, not single waits, because the first yields after a run of parks are not what yielding
 * costs: they wake the scheduler's other, parked carrier. Its first 8 waits are not counted. Threads scheduled on a
 * poller and platform threads never yield here: the first are resumed on the poller's own thread, the second have
 * no carrier to keep.
 *
 * <p>The budget is {@code -Dringloom.deviceSpinMicros} (default 100; 0 turns yielding off). Thread-safe: the
 * averages are racy fields, updated by every waiter; a lost update costs only a sample.
 */
final class DeviceWaits {
    /** Process-wide budget in nanoseconds; 0: waiters park at once. */
    static final long BUDGET_NANOS = Math.max(0, Long.getLong("ringloom.deviceSpinMicros", 100)) * 1_000L;

    /** {@link #yieldWhilePending}'s answer for a caller that is not timed. */
    static final long NOT_TIMED = Long.MIN_VALUE;

    /** The averages' weight of the newest sample is 1 / 2^SHIFT. */
    private static final int SHIFT = 3;

    /** Waits per round: the way the averages choose, then a probe of PROBE waits the other way, SETTLE not counted. */
    private static final int ROUND = 4096, PROBE = 32, SETTLE = 8;

    /** A token's low bits: the wait yielded; the wait counts towards its way's average. */
    private static final long YIELDED = 1, COUNTED = 2, MARKS = YIELDED | COUNTED;

    private final long budget;
    private volatile long yieldingNanos;    // average wait that yielded; 0 until one did
    private volatile long parkingNanos;     // average wait that parked at once; 0 until one did
    private int waits;                      // racy: only places a wait in its round
    private boolean probeYields;            // racy: the way of the current round's probe

    DeviceWaits(long budgetNanos) {
        this.budget = budgetNanos;
    }

    /**
     * Called after a device-bound op was submitted, before its await: if the caller is a waiter this class serves
     * and yielding is the way (see above), yields while the op is pending, the caller is not interrupted and the
     * budget lasts.
     *
     * @return a token for {@link #waited}: the start of the wait and, in its low bits, how it went; or
     * {@link #NOT_TIMED} if the caller is not a waiter that may yield
     */
    long yieldWhilePending(Op op) {
        if (budget == 0 || !Poller.currentThreadOnJdkScheduler()) {
            return NOT_TIMED;
        }
        long token = System.nanoTime() & ~MARKS | COUNTED;
        int phase = ++waits & (ROUND - 1);
        boolean yield;
        if (phase < ROUND - PROBE) {
            yield = yields();
        } else {
            if (phase == ROUND - PROBE) {
                probeYields = !yields();
            }
            yield = probeYields;
            if (phase < ROUND - PROBE + SETTLE) {
                token &= ~COUNTED;
            }
        }
        if (!yield) {
            return token;
        }
        Thread self = Thread.currentThread();
        long start = token & ~MARKS;
        while (!op.isDone() && System.nanoTime() - start < budget && !self.isInterrupted()) {
            Thread.yield();
        }
        return token | YIELDED;
    }

    /** True while yielding is the way for this file's waiters, outside the probes of the other way. */
    boolean yields() {
        long y = yieldingNanos, p = parkingNanos;
        return y < budget - (budget >> 3) && (p == 0 || y < p - (p >> 3));
    }

    /** Whether the wait {@code token} stands for yielded. */
    static boolean yielded(long token) {
        return (token & YIELDED) != 0;
    }

    /** Called once the op's await returned: adds the wait {@code token} stands for to its way's average. */
    void waited(long token) {
        if (token != NOT_TIMED && (token & COUNTED) != 0) {
            sample(yielded(token), System.nanoTime() - (token & ~MARKS));
        }
    }

    /**
     * Adds one wait of {@code nanos} to the average of the waits that yielded (or parked), counted as at most the
     * budget: past it the wait was too long to yield for either way, and one wait that met a GC pause or a slow
     * request must not swing the choice for the next hundreds.
     */
    void sample(boolean yieldedWait, long nanos) {
        long clamped = Math.min(nanos, budget);
        if (yieldedWait) {
            yieldingNanos = next(yieldingNanos, clamped);
        } else {
            parkingNanos = next(parkingNanos, clamped);
        }
    }

    private static long next(long average, long sample) {
        return average == 0 ? Math.max(1, sample) : average + ((sample - average) >> SHIFT);
    }
}
