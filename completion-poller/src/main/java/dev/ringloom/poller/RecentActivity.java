package dev.ringloom.poller;

/**
 * How many different ops completed lately: those that had a CQE in the current window or the one before it. A
 * window closes when the poller asks after it has lasted {@value #WINDOW_NANOS} ns; it lasts longer where the poller
 * seldom asks (it asks when it is about to idle), and then overstates the ops — in the direction of not spinning. Ops in flight say
 * how many connections a poller serves; this says how many of them are busy. Each op carries the number of the last
 * window it was counted in, so counting costs a compare per CQE and no set. Used by the poller thread only; not
 * thread-safe.
 *
 * <p>Why: {@link IdlePolicy} spins only where the spin cannot take the CPU a busy peer needs, which it judged by
 * ops in flight — and every idle connection keeps its multishot recv in flight. One busy connection beside 200 idle
 * ones then never had the spin: its round trips each paid a sleep and a wake-up of the poller (BENCHMARKS.md).
 */
final class RecentActivity {
    static final long WINDOW_NANOS = 1_000_000;

    private int window = 1;                     // 0 is every op's "never counted"
    private long windowStart;
    private int current, previous;

    /** Counts {@code op}, which just had a CQE, once per window. */
    void completed(Op op) {
        if (op.activityWindow != window) {
            op.activityWindow = window;
            current++;
        }
    }

    /** The ops that completed lately, as of {@code nowNanos}; closes the window if it has lasted long enough. */
    int ops(long nowNanos) {
        long age = nowNanos - windowStart;
        if (age >= WINDOW_NANOS) {
            previous = current;     // however long it lasted: a busy poller looks seldom, and must not look idle
            current = 0;
            windowStart = nowNanos;
            window = window == Integer.MAX_VALUE ? 1 : window + 1;
        }
        return Math.max(previous, current);
    }
}
