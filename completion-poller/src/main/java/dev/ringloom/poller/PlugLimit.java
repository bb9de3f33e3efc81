package dev.ringloom.poller;

/**
 * How many device reads and writes one {@code io_uring_enter} may carry. An enter that submits more than two SQEs
 * opens a block plug at its first read or write, and every request its reads and writes make waits in that plug
 * until the enter ends, then reaches the device as one batch (one doorbell, one virtio kick). A poller that resumed
 * many readers at once submits their reads in one enter, so the device sees bursts where a thread per read (the
 * JDK's {@code pread}) would have sent a steady stream. Measured on the virtio disk of the benchmark machine
 * (BENCHMARKS.md, "Files"): 32 virtual threads of O_DIRECT 4 KiB random reads on a poller reached 62-64k reads/s
 * with 427 us per request in the device at a queue depth of 27, and 71-82k with 265-303 us at 22 when each enter
 * carried one read — the JDK's rate, at half its CPU per read. The price is an enter per read when several are due
 * in one pass, which is why only ops marked {@link Op#reachesDevice} count: an O_DIRECT read or write, or a read
 * the page cache already failed to answer. A read or write the cache may serve completes inside the enter without
 * the device, and an enter of its own would only cost (measured: 23-41 % of the rate of 256 threads reading a cached
 * file through the ring). {@code perEnter} 0 lets every enter carry any number (the kernel's plug batches them).
 * Poller-thread only.
 */
final class PlugLimit {
    private final int perEnter;
    private int pending;                 // device reads and writes among the SQEs not submitted yet

    PlugLimit(int perEnter) {
        this.perEnter = perEnter;
    }

    /**
     * Whether the SQEs written so far must be submitted before {@code op}'s is written; counts {@code op} as
     * pending. After a true answer the caller enters the kernel and calls {@link #entered(boolean) entered(true)}.
     */
    boolean enterBefore(Op op) {
        if (perEnter == 0 || !op.reachesDevice) {
            return false;
        }
        return ++pending > perEnter;
    }

    /** The pending SQEs were submitted; after an {@link #enterBefore} that said so, its op is the one pending. */
    void entered(boolean opPending) {
        pending = opPending ? 1 : 0;
    }
}
