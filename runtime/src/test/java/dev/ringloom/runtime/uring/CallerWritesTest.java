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
            w.took(limit(KIB), KIB, now);            // at the limit: not slow
        }
        assertTrue(w.onCaller(now));
    }

    @Test
    void aWriteThatWaitedSendsTheFileToTheRingForThePause() {
        CallerWrites w = new CallerWrites();
        w.took(limit(KIB) + 1, KIB, T0);
        assertFalse(w.onCaller(T0));
        assertFalse(w.onCaller(T0 + FIRST_PAUSE_NANOS - 1));
        assertTrue(w.onCaller(T0 + FIRST_PAUSE_NANOS), "the pause is over: the next write probes the caller");
    }

    @Test
    void theLimitGrowsWithTheWriteSoThatALargeCopyIsNotTakenForAWait() {
        CallerWrites w = new CallerWrites();
        w.took(3_000_000, MIB, T0);                  // 1 MiB in 3 ms: a slow copy, under 1 ms + 4 ms
        assertTrue(w.onCaller(T0));
        w.took(3_000_000, KIB, T0);                  // 4 KiB in 3 ms waited for something
        assertFalse(w.onCaller(T0));
    }

    @Test
    void slowProbesInARowDoubleThePauseUpToItsMaximum() {
        CallerWrites w = new CallerWrites();
        long now = T0, expected = FIRST_PAUSE_NANOS;
        w.took(limit(KIB) + 1, KIB, now);
        for (int probe = 0; probe < 10; probe++) {
            assertFalse(w.onCaller(now + expected - 1), "probe " + probe);
            now += expected;
            assertTrue(w.onCaller(now));
            w.took(limit(KIB) + 1, KIB, now);        // the probe waited too
            expected = Math.min(2 * expected, MAX_PAUSE_NANOS);
        }
        assertFalse(w.onCaller(now + MAX_PAUSE_NANOS - 1));
        assertTrue(w.onCaller(now + MAX_PAUSE_NANOS), "the pause stops doubling at its maximum");
    }

    @Test
    void aQuickProbeGivesTheWritesBackToTheCallerAndTheNextWaitStartsAgainFromTheFirstPause() {
        CallerWrites w = new CallerWrites();
        w.took(limit(KIB) + 1, KIB, T0);
        long now = T0 + FIRST_PAUSE_NANOS;
        w.took(limit(KIB) + 1, KIB, now);            // pause now twice the first
        now += 2 * FIRST_PAUSE_NANOS;
        w.took(1_000, KIB, now);                     // quick
        assertTrue(w.onCaller(now));
        assertTrue(w.onCaller(now + 1));
        w.took(limit(KIB) + 1, KIB, now);
        assertFalse(w.onCaller(now + FIRST_PAUSE_NANOS - 1));
        assertTrue(w.onCaller(now + FIRST_PAUSE_NANOS), "a fresh wait pauses for the first pause, not the doubled");
    }
}
