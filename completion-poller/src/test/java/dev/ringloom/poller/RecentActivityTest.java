package dev.ringloom.poller;

import org.junit.jupiter.api.Test;

import static dev.ringloom.poller.RecentActivity.WINDOW_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The busy ops the idle policy spins by: ops that completed lately, each counted once, idle ones never. */
class RecentActivityTest {
    private final RecentActivity activity = new RecentActivity();
    private long now = 5 * WINDOW_NANOS;

    @Test
    void anOpCompletingManyTimesInAWindowCountsOnce() {
        Op recv = new Op(), send = new Op();
        activity.roll(now);                         // opens a window
        for (int i = 0; i < 1000; i++) {
            activity.completed(recv);               // a multishot recv's CQEs
            activity.completed(send);
        }
        activity.roll(now + 1);
        assertEquals(2, activity.ops());
    }

    @Test
    void opsThatDidNotCompleteAreNotBusyHoweverManyAreInFlight() {
        Op busy = new Op();
        activity.roll(now);
        activity.completed(busy);                   // 200 idle recvs in flight never complete: never counted
        activity.roll(now + 1);
        assertEquals(1, activity.ops());
    }

    /** Opens a window and completes {@code n} different ops in it. */
    private Op[] completeNewOps(int n) {
        Op[] ops = new Op[n];
        activity.roll(now);
        for (int i = 0; i < n; i++) {
            activity.completed(ops[i] = new Op());
        }
        return ops;
    }

    @Test
    void theLastClosedWindowCountsUntilTheNextOneCloses() {
        Op[] ops = completeNewOps(40);
        rollBy(WINDOW_NANOS);
        assertEquals(40, activity.ops(), "a new window has begun, the busy one is still lately");
        activity.completed(ops[0]);
        rollBy(WINDOW_NANOS / 2);
        assertEquals(40, activity.ops());
        rollBy(WINDOW_NANOS / 2);
        assertEquals(1, activity.ops(), "one window later only the op that completed in it is busy");
        rollBy(WINDOW_NANOS);
        assertEquals(0, activity.ops());
    }

    @Test
    void aWindowTheBusyPollerLeftOpenLongStillCountsItsOps() {
        // A poller that never idles never asks, so its window lasts; what it counted must not read as idle.
        completeNewOps(64);
        rollBy(50 * WINDOW_NANOS);
        assertEquals(64, activity.ops());
    }

    @Test
    void deviceReadsAreBusyButNotOffTheDevice() {
        Op socketRecv = new Op(), directRead = new Op();
        directRead.reachesDevice = true;
        activity.roll(now);
        activity.completed(socketRecv);
        activity.completed(directRead);
        assertEquals(2, activity.ops());
        assertEquals(1, activity.opsOffDevice());
    }

    @Test
    void tasksRunLatelyMarkAPollerThatRunsThreads() {
        activity.roll(now);
        assertFalse(activity.ranTasks());
        activity.ranTasks(3);
        rollBy(WINDOW_NANOS);
        assertTrue(activity.ranTasks(), "the window before ran them");
        rollBy(WINDOW_NANOS);
        assertFalse(activity.ranTasks());
    }

    @Test
    void aReapingPollerSpinsForAFewBusyConnectionsNotFourButForDeviceReads() {
        Op[] recvs = completeNewOps(4);
        assertFalse(IdlePolicy.spinsFor(200, activity), "four busy connections resuming threads elsewhere");
        activity.ranTasks(1);
        assertTrue(IdlePolicy.spinsFor(200, activity), "the same four on a poller that runs their threads");
        RecentActivity reaper = new RecentActivity();
        reaper.roll(now);
        reaper.completed(recvs[0]);
        for (int i = 0; i < 8; i++) {
            Op read = new Op();
            read.reachesDevice = true;
            reaper.completed(read);
        }
        assertTrue(IdlePolicy.spinsFor(200, reaper), "one connection and eight device reads");
    }

    @Test
    void reapingPollersShareTheirLimitSoTwoBusyConnectionsOnEachOfTwoDoNotSpin() {
        ReapingPollers process = new ReapingPollers();
        RecentActivity first = new RecentActivity(process), second = new RecentActivity(process);
        completeNewOps(first, 2);
        assertTrue(IdlePolicy.spinsFor(200, first), "two busy connections, the process's only ones");
        completeNewOps(second, 2);
        first.roll(now);
        assertFalse(IdlePolicy.spinsFor(200, first), "four busy connections on the carriers, two on each poller");
        assertFalse(IdlePolicy.spinsFor(200, second));
    }

    @Test
    void anotherPollersBusyOpsStopCountingOnceItHasNotDecidedForTwoWindows() {
        ReapingPollers process = new ReapingPollers();
        RecentActivity first = new RecentActivity(process), second = new RecentActivity(process);
        completeNewOps(second, 2);
        completeNewOps(first, 2);
        first.roll(now + ReapingPollers.STALE_NANOS - 1);
        assertEquals(2, first.opsOffDeviceElsewhere());
        first.roll(now + ReapingPollers.STALE_NANOS);
        assertEquals(0, first.opsOffDeviceElsewhere(), "the other poller has slept with nothing completing");
    }

    @Test
    void aPollerThatRunsItsThreadsLeavesTheOthersLimitAloneAndSoDoesOneThatEnded() {
        ReapingPollers process = new ReapingPollers();
        RecentActivity reaper = new RecentActivity(process), runner = new RecentActivity(process);
        completeNewOps(runner, 8);
        runner.ranTasks(8);
        runner.roll(now);
        completeNewOps(reaper, 2);
        assertEquals(0, reaper.opsOffDeviceElsewhere(), "its busy connections' threads run on the poller");
        RecentActivity gone = new RecentActivity(process);
        completeNewOps(gone, 2);
        reaper.roll(now);
        assertEquals(2, reaper.opsOffDeviceElsewhere());
        gone.leave();
        assertEquals(0, reaper.opsOffDeviceElsewhere());
    }

    /** Opens a window of {@code a} and completes {@code n} different socket ops in it. */
    private void completeNewOps(RecentActivity a, int n) {
        a.roll(now);
        for (int i = 0; i < n; i++) {
            a.completed(new Op());
        }
        a.roll(now);                                // publishes what it counted
    }

    private void rollBy(long nanos) {
        now += nanos;
        activity.roll(now);
    }
}
