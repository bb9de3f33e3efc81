package dev.ringloom.poller.uring;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The submission side of one ring: the SQE array and the kernel-shared SQ head and tail.
 *
 * <p>Single-threaded: only the ring's owner (the poller thread) may call any method. The kernel reads the
 * SQ concurrently, so the shared tail is published with a release store after the SQEs are written, and the
 * kernel's head is read with an acquire load before an SQE slot is reused. The index array is filled once
 * with the identity mapping, so that writing an SQE and moving the tail is all a submission takes.
 */
public final class SubmissionQueue {
    private static final VarHandle INT = JAVA_INT.varHandle();

    private final MemorySegment ring;   // kernel-shared: head, tail, flags, dropped, array
    private final MemorySegment sqes;   // kernel-shared: the SQEs themselves
    private final long headOffset, tailOffset, flagsOffset, droppedOffset;
    private final int mask;
    private final int entries;
    private int localTail;              // SQEs written by us; published to the kernel by flush()

    SubmissionQueue(MemorySegment ring, MemorySegment sqes, MemorySegment params) {
        this.ring = ring;
        this.sqes = sqes;
        this.headOffset = (int) IoUringParams.SQ_HEAD.get(params, 0L);
        this.tailOffset = (int) IoUringParams.SQ_TAIL.get(params, 0L);
        this.flagsOffset = (int) IoUringParams.SQ_FLAGS.get(params, 0L);
        this.droppedOffset = (int) IoUringParams.SQ_DROPPED.get(params, 0L);
        this.mask = ring.get(JAVA_INT, (int) IoUringParams.SQ_RING_MASK.get(params, 0L));
        this.entries = ring.get(JAVA_INT, (int) IoUringParams.SQ_RING_ENTRIES.get(params, 0L));
        long array = (int) IoUringParams.SQ_ARRAY.get(params, 0L);
        for (int i = 0; i < entries; i++) {
            ring.set(JAVA_INT, array + 4L * i, i);
        }
        this.localTail = (int) INT.getAcquire(ring, tailOffset);
    }

    public int entries() {
        return entries;
    }

    /** Free SQE slots: the kernel frees them as it consumes entries (moves its head). */
    public int space() {
        return entries - (localTail - lvHead());
    }

    /** The array index the next {@link #add} writes (for per-SQE scratch memory the kernel reads at submit). */
    public int nextIndex() {
        return localTail & mask;
    }

    /**
     * Writes the next SQE. The caller checked {@link #space()}; it becomes visible to the kernel only
     * at the next {@link #flush()}.
     */
    public void add(byte opcode, byte flags, int fd, long off, long addr, int len, int opFlags, long userData,
                    short bufIndex) {
        add(opcode, flags, (short) 0, fd, off, addr, len, opFlags, userData, bufIndex);
    }

    /** Like the other {@code add}, with the SQE's {@code ioprio} (where recv, send and accept take flags). */
    public void add(byte opcode, byte flags, short ioprio, int fd, long off, long addr, int len, int opFlags,
                    long userData, short bufIndex) {
        long base = (long) (localTail & mask) * Sqe.SIZE;
        Sqe.write(sqes, base, opcode, flags, ioprio, fd, off, addr, len, opFlags, userData, bufIndex);
        localTail++;
    }

    /**
     * Publishes written SQEs to the kernel and returns how many it has not consumed yet (the
     * {@code to_submit} of the next {@code io_uring_enter}).
     */
    public int flush() {
        INT.setRelease(ring, tailOffset, localTail); // SQE contents visible before TAIL
        return localTail - lvHead();
    }

    /** Kernel-set SQ flags ({@link IoUringConstants#SQ_CQ_OVERFLOW}, {@link IoUringConstants#SQ_TASKRUN}). */
    public int lvFlags() {
        return (int) INT.getAcquire(ring, flagsOffset);
    }

    /** SQEs the kernel dropped as invalid (a bug in ringloom if ever non-zero). */
    public int dropped() {
        return (int) INT.getAcquire(ring, droppedOffset);
    }

    private int lvHead() {
        return (int) INT.getAcquire(ring, headOffset); // kernel done reading SQEs before HEAD
    }
}
