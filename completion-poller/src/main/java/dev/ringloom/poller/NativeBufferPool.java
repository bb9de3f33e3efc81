package dev.ringloom.poller;

import dev.ringloom.poller.spi.BufferPool;
import dev.ringloom.poller.sys.NativeMemory;
import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;

import java.lang.foreign.MemorySegment;

/**
 * Page-aligned native buffers in power-of-two size classes from 4 KiB to 1 MiB, recycled across threads.
 *
 * <p>A buffer acquired here is owned by the caller until it gives it back with {@link #release}; while an op
 * lends it to the kernel, the op owns it, and an abandoned op's buffer comes back only after its CQE (see
 * {@link BufferRegistry}). Each class keeps at most {@code perClass} idle buffers; the rest are freed.
 * Larger requests are allocated and freed directly. Thread-safe and lock-free.
 */
public final class NativeBufferPool implements BufferPool {
    public static final int MIN_SIZE = 4096, MAX_SIZE = 1 << 20;
    private static final int MIN_SHIFT = 12, CLASSES = 9;

    private final MpmcVarHandleArrayQueue<MemorySegment>[] idle;

    @SuppressWarnings("unchecked")
    public NativeBufferPool(int perClass) {
        idle = new MpmcVarHandleArrayQueue[CLASSES];
        for (int i = 0; i < CLASSES; i++) {
            idle[i] = new MpmcVarHandleArrayQueue<>(Math.max(2, perClass >> Math.min(i, 4)));
        }
    }

    private static int sizeClass(long size) {
        if (size <= MIN_SIZE) {
            return 0;
        }
        return 64 - Long.numberOfLeadingZeros(size - 1) - MIN_SHIFT;
    }

    /** A buffer of at least {@code size} bytes (exactly the class size when pooled). */
    @Override
    public MemorySegment acquire(long size) {
        if (size > MAX_SIZE) {
            return NativeMemory.allocate(size, NativeMemory.PAGE);
        }
        int c = sizeClass(size);
        MemorySegment b = idle[c].relaxedPoll();
        return b != null ? b : NativeMemory.allocate((long) MIN_SIZE << c, NativeMemory.PAGE);
    }

    /**
     * Takes {@code buffer} back. Null is ignored: an op whose poller died gives none back, because the kernel may
     * still write it ({@link Op} leaks it on purpose), and its waiter must then get the poller's failure, not an NPE.
     */
    @Override
    public void release(MemorySegment buffer) {
        if (buffer == null) {
            return;
        }
        long size = buffer.byteSize();
        if (size > MAX_SIZE || Long.bitCount(size) != 1 || size < MIN_SIZE || !idle[sizeClass(size)].relaxedOffer(buffer)) {
            NativeMemory.free(buffer);
        }
    }

    /**
     * A view of a pooled {@code buffer} valid only while {@code scope} is open ({@link NativeMemory#scopedView}): an
     * owned buffer's views are revoked when it is lent to the kernel.
     */
    public static MemorySegment scopedView(MemorySegment buffer, java.lang.foreign.Arena scope) {
        return NativeMemory.scopedView(buffer, scope);
    }

    /** Frees every idle buffer (buffers in use are freed when they come back, if the pool is full). */
    public void trim() {
        for (MpmcVarHandleArrayQueue<MemorySegment> q : idle) {
            MemorySegment b;
            while ((b = q.relaxedPoll()) != null) {
                NativeMemory.free(b);
            }
        }
    }
}
