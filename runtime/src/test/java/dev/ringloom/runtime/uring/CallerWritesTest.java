package dev.ringloom.runtime.uring;

import org.junit.jupiter.api.Test;

import static dev.ringloom.runtime.uring.CallerWrites.FIRST_PAUSE_NANOS;
import static dev.ringloom.runtime.uring.CallerWrites.LIMIT_BASE_NANOS;
import static dev.ringloom.runtime.uring.CallerWrites.LIMIT_NANOS_PER_BYTE;
import static dev.ringloom.runtime.uring.CallerWrites.MAX_PAUSE_NANOS;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When a file's buffered writes leave the calling thread for the ring, and when they come back. The clock is passed
 * in, so these are the rule's decisions, not timings.
 */
class CallerWritesTest {
    private static final long KIB = 4096, MIB = 1 << 20;
    private static final long T0 = 1_000_000_000_000L;     // any System.nanoTime() reading

    private static long limit(long bytes) {
        return LIMIT_BASE_NANOS + bytes * LIMIT_NANOS_PER_BYTE;
    }

    @Test
    void writesRunOnTheCallerWhileNoneWaits() {
        CallerWrites w = new CallerWrites();
        long now = T0;
        for (int i = 0; i < 1000; i++) {
            assertTrue(w.onCaller(now));
            now += limit(KIB);
            w.took(limit(KIB), KIB, 1, now);            // at the limit: not slow
        }
        assertTrue(w.onCaller(now));
    }

    @Test
    void aWriteThatWaitedSendsTheFileToTheRingForThePause() {
        CallerWrites w = new CallerWrites();
        w.took(limit(KIB) + 1, KIB, 1, T0);
        assertFalse(w.onCaller(T0));
        assertFalse(w.onCaller(T0 + FIRST_PAUSE_NANOS - 1));
        assertTrue(w.onCaller(T0 + FIRST_PAUSE_NANOS), "the pause is over: the next write probes the caller");
    }

    @Test
    void theLimitGrowsWithTheWriteSoThatALargeCopyIsNotTakenForAWait() {
        CallerWrites w = new CallerWrites();
        w.took(LIMIT_BASE_NANOS + 3_000_000, MIB, 1, T0);     // 1 MiB in 3 ms over the base: under 4 ms a MiB
        assertTrue(w.onCaller(T0));
        w.took(LIMIT_BASE_NANOS + 3_000_000, KIB, 1, T0);     // 4 KiB in that time waited for something
        assertFalse(w.onCaller(T0));
    }

    @Test
    void writersOfTheSameFileWaitForEachOtherWithoutItCountingAsAWait() {
        CallerWrites w = new CallerWrites();
        int first = w.begin(), second = w.begin();
        assertTrue(first == 1 && second == 2, "the writes under way, each counting itself");
        w.end();
        w.end();
        assertTrue(w.begin() == 1, "an ended write no longer counts");
        w.end();
        long behindSeven = LIMIT_BASE_NANOS + 8 * MIB * LIMIT_NANOS_PER_BYTE;   // the inode lock's turns, and its own
        w.took(behindSeven, MIB, 8, T0);
        assertTrue(w.onCaller(T0), "eight 1 MiB writers under way: a write may wait for the other seven");
        w.took(behindSeven, MIB, 1, T0);
        assertFalse(w.onCaller(T0), "the same time for a write alone: it waited");
        CallerWrites other = new CallerWrites();
        other.took(behindSeven + 1, MIB, 8, T0);
        assertFalse(other.onCaller(T0), "longer than all eight could take without a wait");
    }

    @Test
    void slowProbesInARowDoubleThePauseUpToItsMaximum() {
        CallerWrites w = new CallerWrites();
        long now = T0, expected = FIRST_PAUSE_NANOS;
        w.took(limit(KIB) + 1, KIB, 1, now);
        for (int probe = 0; probe < 10; probe++) {
            assertFalse(w.onCaller(now + expected - 1), "probe " + probe);
            now += expected;
            assertTrue(w.onCaller(now));
            w.took(limit(KIB) + 1, KIB, 1, now);        // the probe waited too
            expected = Math.min(2 * expected, MAX_PAUSE_NANOS);
        }
        assertFalse(w.onCaller(now + MAX_PAUSE_NANOS - 1));
        assertTrue(w.onCaller(now + MAX_PAUSE_NANOS), "the pause stops doubling at its maximum");
    }

    @Test
    void aQuickProbeGivesTheWritesBackToTheCallerAndTheNextWaitStartsAgainFromTheFirstPause() {
        CallerWrites w = new CallerWrites();
        w.took(limit(KIB) + 1, KIB, 1, T0);
        long now = T0 + FIRST_PAUSE_NANOS;
        w.took(limit(KIB) + 1, KIB, 1, now);            // pause now twice the first
        now += 2 * FIRST_PAUSE_NANOS;
        w.took(1_000, KIB, 1, now);                     // quick
        assertTrue(w.onCaller(now));
        assertTrue(w.onCaller(now + 1));
        w.took(limit(KIB) + 1, KIB, 1, now);
        assertFalse(w.onCaller(now + FIRST_PAUSE_NANOS - 1));
        assertTrue(w.onCaller(now + FIRST_PAUSE_NANOS), "a fresh wait pauses for the first pause, not the doubled");
    }
}
