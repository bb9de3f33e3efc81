package dev.ringloom.poller;

/**
 * What a poller did lately: how many different ops had a CQE, how many of those were not bound for a block device,
 * and whether it ran tasks — each over the current window and the one before it. A window closes when the poller
 * asks ({@link #roll}, when it is about to idle) after {@value #WINDOW_NANOS} ns; where it seldom asks the window
 * lasts longer and overstates the ops, in the direction of not spinning. Ops in flight say how many connections a
 * poller serves; this says how many of them are busy. Each op carries the number of the last window that counted
 * it, so counting costs a compare per CQE and no set. A poller that only reaps also publishes its busy ops to the
 * process's other pollers ({@link ReapingPollers}) at each roll. Used by the poller thread only; not thread-safe.
 *
 * <p>Why: {@link IdlePolicy} spins only where the spin cannot take the CPU a busy peer needs, which it judged by
 * ops in flight — and every idle connection keeps its multishot recv in flight. One busy connection beside 200 idle
 * ones then never had the spin: its round trips each paid a sleep and a wake-up of the poller (BENCHMARKS.md).
 */
final class RecentActivity {
    static final long WINDOW_NANOS = 1_000_000;

    private int window = 1;                     // 0 is every op's "never counted"
    private long windowStart;
    private int ops, opsBefore;                 // different ops with a CQE in this window, in the one before
    private int offDevice, offDeviceBefore;     // of those, ops not bound for a block device
    private int tasks, tasksBefore;             // tasks run
    private final ReapingPollers pollers;
    private ReapingPollers.Entry shared;        // this poller's figure among them, from its first roll
    private long lastRoll;

    /** The activity of a poller alone in its process. */
    RecentActivity() {
        this(new ReapingPollers());
    }

    /** The activity of a poller among {@code pollers}. */
    RecentActivity(ReapingPollers pollers) {
        this.pollers = pollers;
    }

    /** Counts {@code op}, which just had a CQE, once per window. */
    void completed(Op op) {
        if (op.activityWindow != window) {
            op.activityWindow = window;
            ops++;
            if (!op.reachesDevice) {
                offDevice++;
            }
        }
    }

    /** Counts the {@code n} tasks ({@link RunQueue}) a pass ran. */
    void ranTasks(int n) {
        tasks += n;
    }

    /**
     * Closes the window if, as of {@code nowNanos}, it has lasted long enough; the queries below read both. Publishes
     * this poller's busy ops off the device to the other pollers, if it only reaps.
     */
    void roll(long nowNanos) {
        lastRoll = nowNanos;
        if (nowNanos - windowStart >= WINDOW_NANOS) {
            // however long it lasted: a busy poller asks seldom, and must not look idle
            opsBefore = ops;
            offDeviceBefore = offDevice;
            tasksBefore = tasks;
            ops = offDevice = tasks = 0;
            windowStart = nowNanos;
            window = window == Integer.MAX_VALUE ? 1 : window + 1;
        }
        if (shared == null) {
            shared = pollers.join();
        }
        shared.publish(ranTasks() ? 0 : opsOffDevice(), nowNanos);
    }

    /** The different ops that completed lately. */
    int ops() {
        return Math.max(opsBefore, ops);
    }

    /** Those of {@link #ops()} not bound for a block device: their completions resume threads that compute. */
    int opsOffDevice() {
        return Math.max(offDeviceBefore, offDevice);
    }

    /** The busy ops off the device that the process's other pollers that only reap published, as of the last roll. */
    int opsOffDeviceElsewhere() {
        return shared == null ? 0 : shared.others(lastRoll);
    }

    /** The poller ended: its ops no longer count for the others. */
    void leave() {
        if (shared != null) {
            shared.leave();
        }
    }

    /** True if the poller ran tasks lately: it runs threads, not only their completions. */
    boolean ranTasks() {
        return (tasks | tasksBefore) != 0;
    }
}
