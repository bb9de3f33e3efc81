package dev.ringloom.poller.uring;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The completion side of one ring: the CQE array and the kernel-shared CQ head and tail.
 *
 * <p>Single-threaded: only the ring's owner (the poller thread) may call {@link #reap}. The kernel writes
 * CQEs then release-stores the tail; we acquire-load the tail, read the CQEs, and only then release-store
 * the head, which hands the slots back to the kernel.
 */
public final class CompletionQueue {
    private static final VarHandle INT = JAVA_INT.varHandle();

    /** Receives each reaped CQE. Called on the poller thread; must not block. */
    @FunctionalInterface
    public interface Handler {
        void onCompletion(long userData, int res, int flags);
    }

    private final MemorySegment ring;
    private final long headOffset, tailOffset, overflowOffset, cqesOffset;
    private final int mask;
    private final int entries;

    CompletionQueue(MemorySegment ring, MemorySegment params) {
        this.ring = ring;
        this.headOffset = (int) IoUringParams.CQ_HEAD.get(params, 0L);
        this.tailOffset = (int) IoUringParams.CQ_TAIL.get(params, 0L);
        this.overflowOffset = (int) IoUringParams.CQ_OVERFLOW.get(params, 0L);
        this.cqesOffset = (int) IoUringParams.CQ_CQES.get(params, 0L);
        this.mask = ring.get(JAVA_INT, (int) IoUringParams.CQ_RING_MASK.get(params, 0L));
        this.entries = ring.get(JAVA_INT, (int) IoUringParams.CQ_RING_ENTRIES.get(params, 0L));
    }

    public int entries() {
        return entries;
    }

    /** True when CQEs wait to be reaped. */
    public boolean hasCompletions() {
        return (int) INT.getAcquire(ring, tailOffset) != (int) INT.get(ring, headOffset);
    }

    /** Hands every available CQE to {@code handler}; returns how many. */
    public int reap(Handler handler) {
        int head = (int) INT.get(ring, headOffset);          // only we write HEAD
        int tail = (int) INT.getAcquire(ring, tailOffset);   // CQE contents visible after TAIL
        int n = tail - head;
        for (int h = head; h != tail; h++) {
            long base = cqesOffset + (long) (h & mask) * Cqe.SIZE;
            long userData = ring.get(JAVA_LONG, base + Cqe.USER_DATA);
            int res = ring.get(JAVA_INT, base + Cqe.RES);
            int flags = ring.get(JAVA_INT, base + Cqe.FLAGS);
            // Release the slot before the handler runs: everything needed is copied, and a handler
            // that throws must not leave the CQE to be delivered twice.
            INT.setRelease(ring, headOffset, h + 1);            // CQE read before HEAD
            handler.onCompletion(userData, res, flags);
        }
        return n;
    }

    /** CQEs the kernel could not post (only without IORING_FEAT_NODROP; ringloom requires it). */
    public int overflow() {
        return (int) INT.getAcquire(ring, overflowOffset);
    }
}
