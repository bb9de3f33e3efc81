package dev.ringloom.poller;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Ops whose waiter left (interrupt, timeout, close) while the kernel still owned them, with the native
 * memory they lent to the kernel. The memory is released when the op's own CQE is reaped — never when the
 * cancel's CQE is, which arrives in no fixed order relative to it. The registry is the one place that releases
 * an abandoned op's memory ({@link #dispose}), whether or not its cancel request reached the poller before the CQE.
 *
 * <p>Mutated by the owning poller thread only (after the poller ended, by the one thread that fails its queue). The counters are published with release stores so that any
 * thread (tests, metrics) can read them; a reader sees a recent value, not a snapshot of the whole set.
 */
public final class BufferRegistry {
    private static final VarHandle COUNT, BYTES, ADOPTED, RELEASED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            COUNT = l.findVarHandle(BufferRegistry.class, "count", int.class);
            BYTES = l.findVarHandle(BufferRegistry.class, "bytes", long.class);
            ADOPTED = l.findVarHandle(BufferRegistry.class, "adopted", long.class);
            RELEASED = l.findVarHandle(BufferRegistry.class, "released", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Op[] ops = new Op[16];
    private int count;          // written by the poller with setRelease
    private long bytes;
    private long adopted;
    private long released;

    BufferRegistry() {
    }

    /** Takes an abandoned op the kernel still owns. */
    void adopt(Op op) {
        if (op.registryIndex >= 0) {
            return;
        }
        if (count == ops.length) {
            ops = Arrays.copyOf(ops, count << 1);
        }
        op.registryIndex = count;
        ops[count] = op;
        MemorySegment b = op.buffer();
        BYTES.setRelease(this, bytes + (b == null ? 0 : b.byteSize()));
        COUNT.setRelease(this, count + 1);
        ADOPTED.setRelease(this, adopted + 1);
    }

    /**
     * Called when {@code op}'s own CQE was reaped: the kernel is done with its memory. Releases it, unless
     * a stream reader will reclaim the bytes.
     */
    void onFinalCompletion(Op op) {
        int i = op.registryIndex;
        if (i >= 0) {
            MemorySegment b = op.buffer();
            int last = count - 1;
            Op moved = ops[last];
            ops[i] = moved;
            moved.registryIndex = i;
            ops[last] = null;
            op.registryIndex = -1;
            BYTES.setRelease(this, bytes - (b == null ? 0 : b.byteSize()));
            COUNT.setRelease(this, last);
            RELEASED.setRelease(this, released + 1);
        }
    }

    /**
     * An abandoned op completed, or will never reach the kernel: nobody waits for what it holds. Gives its buffer
     * back to its owner (unless a stream's next reader takes its bytes, {@link Op#retainOnAbandon()}) and lets the
     * op dispose of what it produced (an accepted or opened fd is closed).
     */
    void dispose(Op op) {
        op.disposeAbandoned();
    }

    /** Abandoned ops whose CQE has not arrived yet. */
    public int size() {
        return (int) COUNT.getAcquire(this);
    }

    /** Native bytes held by those ops. */
    public long bytes() {
        return (long) BYTES.getAcquire(this);
    }

    /** Ops ever taken in. */
    public long adoptedTotal() {
        return (long) ADOPTED.getAcquire(this);
    }

    /** Ops whose CQE arrived after they were taken in. */
    public long releasedTotal() {
        return (long) RELEASED.getAcquire(this);
    }
}
