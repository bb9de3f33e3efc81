package dev.ringloom.poller;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A poller's counters. Written by the poller thread only, with release stores, so any thread (stats, tests) reads
 * a recent value without a lock; the one exception, {@link #fault()}, may come from any thread and adds atomically.
 * A reader sees each counter's recent value, not a snapshot of all of them.
 */
final class PollerCounters {
    private static final VarHandle IN_FLIGHT, COMPLETED, SUBMITTED, OVERFLOWS, WAKEUPS, STRAYS, FAULTS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            IN_FLIGHT = l.findVarHandle(PollerCounters.class, "inFlight", int.class);
            COMPLETED = l.findVarHandle(PollerCounters.class, "completed", long.class);
            SUBMITTED = l.findVarHandle(PollerCounters.class, "submitted", long.class);
            OVERFLOWS = l.findVarHandle(PollerCounters.class, "overflows", long.class);
            WAKEUPS = l.findVarHandle(PollerCounters.class, "wakeups", long.class);
            STRAYS = l.findVarHandle(PollerCounters.class, "strays", long.class);
            FAULTS = l.findVarHandle(PollerCounters.class, "faults", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private int inFlight;
    private long completed, submitted, overflows, wakeups, strays;
    private volatile long faults;

    // ---------------------------------------------------------------- the poller thread

    void inFlight(int ops) {
        IN_FLIGHT.setRelease(this, ops);
    }

    void completed() {
        COMPLETED.setRelease(this, completed + 1);
    }

    void submitted(int sqes) {
        SUBMITTED.setRelease(this, submitted + sqes);
    }

    void overflowed() {
        OVERFLOWS.setRelease(this, overflows + 1);
    }

    void wokenUp() {
        WAKEUPS.setRelease(this, wakeups + 1);
    }

    /** @return stray CQEs so far, this one included */
    long stray() {
        STRAYS.setRelease(this, strays + 1);
        return strays;
    }

    // ---------------------------------------------------------------- any thread

    /** @return faults so far, this one included */
    long fault() {
        return (long) FAULTS.getAndAdd(this, 1L) + 1;
    }

    int inFlight() {
        return (int) IN_FLIGHT.getAcquire(this);
    }

    long completedTotal() {
        return (long) COMPLETED.getAcquire(this);
    }

    long submittedTotal() {
        return (long) SUBMITTED.getAcquire(this);
    }

    long overflowsTotal() {
        return (long) OVERFLOWS.getAcquire(this);
    }

    long wakeupsTotal() {
        return (long) WAKEUPS.getAcquire(this);
    }

    long faultsTotal() {
        return faults;
    }

    long straysTotal() {
        return (long) STRAYS.getAcquire(this);
    }
}
