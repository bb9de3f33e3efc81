package dev.ringloom.poller.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.LongAdder;

/**
 * Native memory that ringloom allocates for the kernel to read and write, with process-wide accounting.
 *
 * <p>Memory comes from libc ({@code aligned_alloc}/{@code free}), not from an {@code Arena}: a buffer's
 * lifetime ends at a CQE reaped on the poller thread, which no arena scope models, and closing a shared
 * arena per buffer would cost a handshake with every thread. Whoever holds a segment from
 * {@link #allocate} owns it and must {@link #free} it exactly once, and never while the kernel may still
 * touch it. Thread-safe.
 */
public final class NativeMemory {
    /** Page alignment: enough for O_DIRECT on every block device ringloom meets. */
    public static final int PAGE = 4096;

    private static final LongAdder RESERVED = new LongAdder();
    private static final LongAdder SEGMENTS = new LongAdder();

    private NativeMemory() {
    }

    /**
     * Allocates {@code size} bytes aligned to {@code alignment} (a power of two).
     *
     * @throws OutOfMemoryError when libc has no memory left
     */
    public static MemorySegment allocate(long size, int alignment) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive: " + size);
        }
        long rounded = (size + alignment - 1) & -(long) alignment;
        long address = Libc.alignedAlloc(alignment, rounded);
        if (address == 0) {
            throw new OutOfMemoryError("aligned_alloc(" + alignment + ", " + rounded + ") failed");
        }
        RESERVED.add(size);
        SEGMENTS.increment();
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    /** Frees a segment obtained from {@link #allocate}. */
    public static void free(MemorySegment segment) {
        RESERVED.add(-segment.byteSize());
        SEGMENTS.decrement();
        Libc.free(segment.address());
    }

    /**
     * A view of {@code memory} whose accesses are valid only while {@code scope} is open: closing the scope revokes
     * every view and every {@code ByteBuffer} taken from it, while the memory itself lives on.
     */
    public static MemorySegment scopedView(MemorySegment memory, Arena scope) {
        return memory.reinterpret(scope, null);
    }

    /** Bytes currently allocated through this class. */
    public static long reservedBytes() {
        return RESERVED.sum();
    }

    /** Segments currently allocated through this class. */
    public static long segments() {
        return SEGMENTS.sum();
    }
}
