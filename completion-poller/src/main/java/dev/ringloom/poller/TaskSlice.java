package dev.ringloom.poller;

/**
 * How long a virtual thread scheduled on a poller may go on with IO that completes without a wait — a read the page
 * cache answers, a copy from tmpfs — before it lets the poller's loop run. Such a thread never parks, so without a
 * slice it would keep the poller's thread from the ring and from every other thread scheduled on it (every socket
 * of the poller) for as long as it reads; an event loop bounds its tasks the same way.
 *
 * <p>The slice starts at the first such op of a task batch, not at the batch's start: timing every batch would cost
 * the loop a clock read per pass for threads that mostly park. Poller thread only (a thread scheduled on the poller
 * runs there).
 */
final class TaskSlice {
    /** The slice: {@code -Dringloom.taskSliceMicros}, default 100. */
    static final long NANOS = Math.max(1, Long.getLong("ringloom.taskSliceMicros", 100)) * 1_000L;

    private final DeadlockGuard batches;
    private long batch = -1;            // the batch the slice was started in
    private long start;

    TaskSlice(DeadlockGuard batches) {
        this.batches = batches;
    }

    /** True if the running batch has had its slice of synchronous IO; starts the slice at a batch's first ask. */
    boolean used(long now) {
        long current = batches.batchesBegun();
        if (batch != current) {
            batch = current;
            start = now;
            return false;
        }
        return now - start > NANOS;
    }
}
