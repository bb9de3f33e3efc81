package dev.ringloom.poller;

import java.util.concurrent.Semaphore;

import static dev.ringloom.poller.uring.IoUringConstants.SETUP_DEFER_TASKRUN;
import static dev.ringloom.poller.uring.IoUringConstants.SETUP_TASKRUN_FLAG;

/**
 * What a poller that found nothing to do does before it sleeps in {@code io_uring_enter}, in the shape of Agrona's
 * {@code IdleStrategy}: by the number of ops busy and in flight, spin briefly (few busy), give the CPU away and look
 * again (many in flight), or sleep at once (in between). Each look asks the poller's {@link WorkProbe}. Immutable and
 * used by its poller's thread; the one state pollers share is the process-wide count of those spinning, a
 * {@link Semaphore}.
 *
 * <ul>
 *   <li><b>Spin</b>, with at most {@value #SPIN_MAX_BUSY} ops busy — in flight and completed lately
 *       ({@link RecentActivity}: an idle connection's recv is in flight but not busy) — see {@link #spinsFor}: up to
 *       {@code spins} spin-wait turns (~30 ns each here: ~60 us by default). At that load the cores are mostly
 *       idle, and a sleep costs the next completion a wake-up of an idle vCPU. Measured on 2 vCPUs, echo with one
 *       connection: p50 27 against 81 us, 2.3-2.6x the round trips. Not with more busy: at 64 connections the spin
 *       took the CPU the peers needed (0.84-0.92x the round trips). And at most {@link #MAX_SPINNERS} pollers of
 *       the process (half the cores) spin at once: two spinning pollers on two cores left the peers none, and
 *       with two busy connections among idle ones served less than one poller spinning. A poller that only reaps
 *       (its completions resume threads on the JDK's scheduler) spins for at most {@value #SPIN_MAX_BUSY_REAPING}
 *       busy ops not bound for a device, however many device reads and writes, counted over all such pollers of
 *       the process ({@link ReapingPollers}): threads that send and receive on carriers need the core the spin
 *       would take, wherever their sockets are (eight busy connections among idle ones 0.64-0.77x with the spin;
 *       four on two pollers, two on each, 0.68x), readers waiting for a disk do not; and one connection with both
 *       its ends in the process (two busy ops) needs the spin (1 conn of RoundTripBenchmark: 0.11x without it,
 *       0.58x with a limit of two, BENCHMARKS.md).</li>
 *   <li><b>Yield</b>, with {@value #YIELD_MIN_IN_FLIGHT} or more in flight: {@code sched_yield} up to {@code yields}
 *       times, looking after each. On busy cores the carriers and the peers run meanwhile, and the next pass reaps a
 *       batch; a sleep would be cut short by the next few completions. Measured at 1000 echo connections on 2 cores:
 *       15 completions per pass instead of 4, a tenth of the sleeps, ~20 % less server CPU per round trip; 256 break
 *       even, 64 lose ~10 %. (Spinning there measured worse than not waiting at all.)</li>
 * </ul>
 * Both need to see completions that wait as deferred task work ({@code IORING_SQ_TASKRUN}): a
 * {@code DEFER_TASKRUN} ring without {@code TASKRUN_FLAG} cannot show them, and then the policy sleeps at once.
 */
final class IdlePolicy {
    static final int FOUND_NOTHING = 0, FOUND_SUBMISSIONS = 1, FOUND_COMPLETIONS = 2;
    static final int SPIN_MAX_BUSY = 16;
    /** The same for a poller that only reaps, its completions resuming threads of another scheduler. */
    static final int SPIN_MAX_BUSY_REAPING = 3;
    static final int YIELD_MIN_IN_FLIGHT = 256;
    /** Pollers of the process spinning at once: a spin pays only where a core would be idle otherwise. */
    static final int MAX_SPINNERS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    private static final Semaphore SPINNERS = new Semaphore(MAX_SPINNERS);

    /**
     * At most {@value #SPIN_MAX_BUSY} ops busy (in flight and completed lately) — and on a poller that only reaps,
     * whose completions resume threads of another scheduler, at most {@value #SPIN_MAX_BUSY_REAPING} not bound for a
     * device among all the process's pollers that only reap ({@link ReapingPollers}): their threads run on the
     * same carriers, wherever their sockets are.
     */
    static boolean spinsFor(int inFlight, RecentActivity recent) {
        return Math.min(inFlight, recent.ops()) <= SPIN_MAX_BUSY
                && (recent.ranTasks()
                || recent.opsOffDevice() + recent.opsOffDeviceElsewhere() <= SPIN_MAX_BUSY_REAPING);
    }

    /** One look for work: {@link #FOUND_COMPLETIONS}, {@link #FOUND_SUBMISSIONS} or {@link #FOUND_NOTHING}. */
    @FunctionalInterface
    interface WorkProbe {
        int lookForWork();
    }

    private final int yields, spins;

    private IdlePolicy(int yields, int spins) {
        this.yields = yields;
        this.spins = spins;
    }

    /** The policy for a ring created with {@code setupFlags}. */
    static IdlePolicy of(PollerConfig config, int setupFlags) {
        boolean seesTaskWork = (setupFlags & SETUP_TASKRUN_FLAG) != 0 || (setupFlags & SETUP_DEFER_TASKRUN) == 0;
        return seesTaskWork ? new IdlePolicy(config.yieldsBeforeSleep(), config.spinsBeforeSleep())
                : new IdlePolicy(0, 0);
    }

    /**
     * Waits by the policy for {@code inFlight} ops, of which {@code recent} says how many are busy; returns what the
     * last look found.
     */
    int idle(int inFlight, RecentActivity recent, WorkProbe probe) {
        if (spins > 0 && spinsFor(inFlight, recent) && SPINNERS.tryAcquire()) {
            try {
                for (int i = 0; i < spins; i++) {
                    Thread.onSpinWait();
                    int found = probe.lookForWork();
                    if (found != FOUND_NOTHING) {
                        return found;
                    }
                }
                return FOUND_NOTHING;
            } finally {
                SPINNERS.release();
            }
        }
        if (inFlight < YIELD_MIN_IN_FLIGHT) {
            return FOUND_NOTHING;
        }
        for (int i = 0; i < yields; i++) {
            Thread.yield();                         // a platform thread: sched_yield(2)
            int found = probe.lookForWork();
            if (found != FOUND_NOTHING) {
                return found;
            }
        }
        return FOUND_NOTHING;
    }
}
