package dev.ringloom.runtime.uring;

import dev.ringloom.poller.Op;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Supplier;

/**
 * One channel's spare op: the last op of a kind that completed cleanly, reused by the next call so that the hot
 * path allocates no op. Every io_uring channel reuses its ops this way and no other. An op goes back only if
 * {@link Op#isReusable()} — completed, never abandoned or cancelled, since a stale cancel request may still name
 * it — so a reused op is one the kernel and the poller are done with.
 *
 * <p>Thread-safe and lock-free: one slot; under contention a caller finds it empty and allocates, and a second
 * op given back replaces the first (which the garbage collector takes).
 */
final class SpareOp<T extends Op> {
    private static final VarHandle SLOT;

    static {
        try {
            SLOT = MethodHandles.lookup().findVarHandle(SpareOp.class, "slot", Op.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Supplier<T> factory;
    @SuppressWarnings("unused")     // through SLOT
    private volatile Op slot;

    SpareOp(Supplier<T> factory) {
        this.factory = factory;
    }

    /** The spare op, or a new one. Call it before taking the fd reference: an allocation failure then leaks none. */
    @SuppressWarnings("unchecked")
    T take() {
        T op = (T) SLOT.getAndSet(this, (Op) null);
        return op != null ? op : factory.get();
    }

    /** Keeps {@code op} for the next call if it is reusable. */
    void giveBack(T op) {
        if (op.isReusable()) {
            SLOT.setRelease(this, op);
        }
    }
}
