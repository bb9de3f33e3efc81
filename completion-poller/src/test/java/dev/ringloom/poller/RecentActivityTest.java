package dev.ringloom.poller;

import org.junit.jupiter.api.Test;

import static dev.ringloom.poller.RecentActivity.WINDOW_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The busy ops the idle policy spins by: ops that completed lately, each counted once, idle ones never. */
class RecentActivityTest {
    private final RecentActivity activity = new RecentActivity();
    private long now = 5 * WINDOW_NANOS;

    @Test
    void anOpCompletingManyTimesInAWindowCountsOnce() {
        Op recv = new Op(), send = new Op();
        activity.ops(now);                          // opens a window
        for (int i = 0; i < 1000; i++) {
            activity.completed(recv);               // a multishot recv's CQEs
            activity.completed(send);
        }
        assertEquals(2, activity.ops(now + 1));
    }

    @Test
    void opsThatDidNotCompleteAreNotBusyHoweverManyAreInFlight() {
        Op busy = new Op();
        activity.ops(now);
        activity.completed(busy);                   // 200 idle recvs in flight never complete: never counted
        assertEquals(1, activity.ops(now + 1));
    }

    /** Opens a window and completes {@code n} different ops in it. */
    private Op[] completeNewOps(int n) {
        Op[] ops = new Op[n];
        activity.ops(now);
        for (int i = 0; i < n; i++) {
            activity.completed(ops[i] = new Op());
        }
        return ops;
    }

    @Test
    void theLastClosedWindowCountsUntilTheNextOneCloses() {
        Op[] ops = completeNewOps(40);
        now += WINDOW_NANOS;
        assertEquals(40, activity.ops(now), "a new window has begun, the busy one is still lately");
        activity.completed(ops[0]);
        assertEquals(40, activity.ops(now + WINDOW_NANOS / 2));
        now += WINDOW_NANOS;
        assertEquals(1, activity.ops(now), "one window later only the op that completed in it is busy");
        now += WINDOW_NANOS;
        assertEquals(0, activity.ops(now));
    }

    @Test
    void aWindowTheBusyPollerLeftOpenLongStillCountsItsOps() {
        // A poller that never idles never asks, so its window lasts; what it counted must not read as idle.
        completeNewOps(64);
        assertEquals(64, activity.ops(now + 50 * WINDOW_NANOS));
    }
}
