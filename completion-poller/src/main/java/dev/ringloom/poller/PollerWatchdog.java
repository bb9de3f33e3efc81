package dev.ringloom.poller;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread that looks at every live poller a few times a second for a task that does not return: a
 * virtual thread scheduled on the poller that computes or blocks outside ringloom, or a {@link Poller#execute}
 * task that blocks. Meanwhile the poller reaps nothing, so every socket on it waits; past
 * {@code ringloom.stuckTaskMillis} (1000) the watchdog says so once per stuck task, with the stack that holds it.
 * A ringloom waiter parked pinned on its own poller's thread is a deadlock, not a stall: the watchdog wakes it,
 * and the wait fails with {@link PollerDeadlockException} ({@link Poller#afterPark}).
 *
 * <p>Cost to a poller: a counter and a flag stored per pass, a field cleared per task. The thread runs only while
 * some poller is alive.
 */
final class PollerWatchdog {
    private static final System.Logger LOG = System.getLogger("dev.ringloom");
    static final long TICK_MILLIS = 100;
    /** Ticks a batch must be stuck before a waiter pinned on it is woken to fail (between 200 and 300 ms). */
    private static final int RESCUE_TICKS = 2;

    /** What the watchdog saw of one poller at its last tick. */
    private static final class Seen {
        long batch = -1;
        int stuckTicks;
        boolean reported, rescued;
    }

    private static final Map<Poller, Seen> POLLERS = new ConcurrentHashMap<>();
    private static Thread thread;       // guarded by the class monitor

    private PollerWatchdog() {
    }

    static synchronized void watch(Poller p) {
        POLLERS.put(p, new Seen());
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("ringloom-poller-watchdog").start(PollerWatchdog::run);
        }
    }

    static void forget(Poller p) {
        POLLERS.remove(p);
    }

    private static void run() {
        for (;;) {
            synchronized (PollerWatchdog.class) {
                if (POLLERS.isEmpty()) {
                    thread = null;
                    return;
                }
            }
            long stuckBound = Long.getLong("ringloom.stuckTaskMillis", 1000);
            for (Map.Entry<Poller, Seen> e : POLLERS.entrySet()) {
                look(e.getKey(), e.getValue(), stuckBound);
            }
            LockSupport.parkNanos(TICK_MILLIS * 1_000_000L);
        }
    }

    private static void look(Poller p, Seen seen, long stuckBound) {
        long batch = p.guard().taskBatch();
        if (batch < 0 || batch != seen.batch) {          // not in a batch, or a new one since the last tick
            seen.batch = batch;
            seen.stuckTicks = 0;
            seen.reported = seen.rescued = false;
            return;
        }
        seen.stuckTicks++;
        Thread waiter = p.guard().carrierWaiter();
        if (seen.stuckTicks >= RESCUE_TICKS && waiter != null && !seen.rescued) {
            seen.rescued = true;
            p.guard().rescue(waiter);
        }
        if (seen.stuckTicks * TICK_MILLIS >= stuckBound && !seen.reported) {
            seen.reported = true;
            Thread holder = waiter != null ? waiter : p.thread();
            StringBuilder stack = new StringBuilder();
            for (StackTraceElement f : holder.getStackTrace()) {
                stack.append("\n\tat ").append(f);
            }
            LOG.log(System.Logger.Level.WARNING, "ringloom poller " + p.id() + " has been running one task for over "
                    + stuckBound + " ms: none of its sockets is served meanwhile. A thread scheduled on a poller must"
                    + " not block outside ringloom or compute for long, and a task given to Poller.execute must not"
                    + " block. The task, on " + holder + ":" + stack);
        }
    }
}
