package dev.ringloom.poller;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The busy ops of a process's pollers that only reap — pollers whose completions resume threads of another
 * scheduler, so that the threads doing the work run on carriers — as each poller last published them. A poller that
 * spins takes a core, and where the threads are on carriers the carriers want every core: the limit of busy ops for
 * such a spin is the process's, not one poller's. Measured (BENCHMARKS.md, "Busy connections among idle ones"): four
 * busy connections on the JDK's scheduler served by two pollers, two busy ops each, spun on one of them and read
 * 44k-46k round trips/s against 58k-61k without the spin.
 *
 * <p>Each poller publishes through its own {@link Entry} when it decides how to idle; a figure older than
 * {@link #STALE_NANOS} is not counted: a poller with a few busy connections decides every few microseconds, and one
 * that has slept that long has had nothing complete meanwhile. (One that never idles, saturated, publishes nothing
 * new either and so stops counting; then the others spin as they did before this count existed.) Thread-safe:
 * entries are written by their poller only and read by any.
 */
final class ReapingPollers {
    /** The pollers of this process. */
    static final ReapingPollers PROCESS = new ReapingPollers();

    /** A published figure this old no longer counts. */
    static final long STALE_NANOS = 2 * RecentActivity.WINDOW_NANOS;

    private final CopyOnWriteArrayList<Entry> entries = new CopyOnWriteArrayList<>();

    /** A new member; it counts nothing until it publishes. */
    Entry join() {
        Entry e = new Entry();
        entries.add(e);
        return e;
    }

    /** One poller's published figure. */
    final class Entry {
        private volatile int busy;
        private volatile long at;

        private Entry() {
        }

        /** This poller's busy ops off the device as of {@code nowNanos}; 0 for a poller that runs its threads. */
        void publish(int busyOps, long nowNanos) {
            if (busyOps == 0 && busy == 0) {
                return;                     // a zero adds nothing, fresh or stale: no stores on every idle decision
            }
            busy = busyOps;
            at = nowNanos;
        }

        /** The busy ops the other members published within {@link #STALE_NANOS} of {@code nowNanos}. */
        int others(long nowNanos) {
            int sum = 0;
            for (Entry e : entries) {
                if (e != this && nowNanos - e.at < STALE_NANOS) {
                    sum += e.busy;
                }
            }
            return sum;
        }

        /** The poller ended: its figure no longer counts. */
        void leave() {
            entries.remove(this);
        }
    }
}
