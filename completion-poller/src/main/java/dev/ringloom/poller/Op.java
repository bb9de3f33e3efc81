package dev.ringloom.poller;

import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.uring.IoUringConstants;

import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * One kernel operation: the fields of its SQE, the native memory the kernel may touch, and its result.
 *
 * <h2>Ownership</h2>
 * An op has exactly one owner at a time:
 * <ol>
 *   <li>the <b>submitter</b> fills it ({@link #prepare}) and hands it to {@link Poller#submit};</li>
 *   <li>the <b>kernel</b> owns it (and {@link #buffer()}) from then until its CQE is reaped, even if the
 *       submit syscall fails or the poller shuts down; the poller's {@link InFlightTable} holds it strongly;</li>
 *   <li>then the <b>waiter</b> gets it back from {@link #await()} with the result; or, if the waiter left
 *       ({@link #abandon()}: interrupt, timeout, close), the poller's {@link BufferRegistry} holds it and
 *       releases its buffer when the CQE arrives — never earlier, and never on the CQE of the cancel.</li>
 * </ol>
 *
 * <h2>States</h2>
 * {@code PENDING → DONE} (the waiter collects) or {@code PENDING → ABANDONED → ABANDONED_DONE} (the
 * registry disposes). A {@link #retainOnAbandon() retaining} op, used for stream reads whose bytes must not be
 * lost, can be taken back by a new waiter with {@link #reclaim()}. The poller publishes the result with the
 * release store of {@code state} before it unparks the waiter, so a waiter that sees {@code DONE} sees the
 * result. An op is reusable ({@link #prepare} again) only after {@code DONE} and only if it was never
 * abandoned: a stale cancel request may still name it.
 */
public class Op {
    static final int IDLE = 0, PENDING = 1, DONE = 2, ABANDONED = 3, ABANDONED_DONE = 4;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Op.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // SQE fields: written by the submitter before submit, read by the poller after the queue hand-off.
    byte opcode;
    byte sqeFlags;
    short ioprio;
    int fd;
    long off;
    long addr;
    int len;
    int opFlags;
    short bufIndex;
    long linkTimeoutNanos;                 // > 0: the kernel cancels the op after this long (IORING_OP_LINK_TIMEOUT)

    private MemorySegment buffer;          // native memory the kernel may touch; may be null
    private BufferOwner bufferOwner;       // where buffer goes back; null: caller manages it
    private FdHandle fdHandle;             // reference released when the kernel is done with the fd
    private boolean retainOnAbandon;
    boolean multishot;                     // read by the poller: more than one CQE, see onMultishotCqe

    private volatile int state;
    private volatile Thread waiter;
    private boolean cancelRequested;       // waiter-only: a cancel request may still name this op in the queue
    // Results: plain fields, published by the release store of state (poller) and read after an acquire load.
    private int result;
    private int cqeFlags;

    // Poller-private: 0 before submission, the in-flight key while the kernel owns it, -1 after its CQE.
    long userData;
    int registryIndex = -1;

    /**
     * Fills the SQE fields. The op must be idle or done; any buffer it held must have been taken back.
     *
     * @return this
     */
    public final Op prepare(byte opcode, int fd, long off, long addr, int len, int opFlags) {
        int s = state;
        if (s == PENDING || s == ABANDONED || cancelRequested) {
            throw new IllegalStateException("op is still owned by the kernel or was abandoned: " + this);
        }
        this.opcode = opcode;
        this.sqeFlags = 0;
        this.ioprio = 0;
        this.fd = fd;
        this.off = off;
        this.addr = addr;
        this.len = len;
        this.opFlags = opFlags;
        this.bufIndex = 0;
        this.linkTimeoutNanos = 0;
        this.fdHandle = null;
        this.retainOnAbandon = false;
        this.multishot = false;
        this.userData = 0;
        this.result = 0;
        this.cqeFlags = 0;
        STATE.setRelease(this, IDLE);
        return this;
    }

    /**
     * Lets the kernel cancel the op if it has not completed after {@code nanos} (a linked
     * {@code IORING_OP_LINK_TIMEOUT}): the op then completes with ECANCELED. An op that moved data completes
     * with its data instead, so a timeout never loses bytes. {@code 0} means no timeout.
     */
    public final Op linkTimeout(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("negative timeout: " + nanos);
        }
        this.linkTimeoutNanos = nanos;
        return this;
    }

    /** True if the op carries a linked timeout. */
    public final boolean hasLinkTimeout() {
        return linkTimeoutNanos > 0;
    }

    /** Sets the SQE's {@code ioprio}, which recv, send and accept read as flags (e.g. RECVSEND_POLL_FIRST). */
    public final Op ioprio(short value) {
        this.ioprio = value;
        return this;
    }

    /**
     * Lets the kernel pick the buffer from provided-buffer group {@code group} ({@code IOSQE_BUFFER_SELECT});
     * each CQE then names the buffer it filled.
     */
    public final Op bufferGroup(short group) {
        this.sqeFlags |= IoUringConstants.IOSQE_BUFFER_SELECT;
        this.bufIndex = group;
        return this;
    }

    /** Sets IOSQE_* flags. */
    public final Op sqeFlags(byte flags) {
        this.sqeFlags = flags;
        return this;
    }

    /**
     * Attaches the native memory this op lends to the kernel. If the waiter abandons the op, the memory
     * goes back to {@code owner} after the CQE. A null owner means the memory outlives every op that uses
     * it (for example the poller's own wake-up buffer).
     */
    public final Op buffer(MemorySegment buffer, BufferOwner owner) {
        this.buffer = buffer;
        this.bufferOwner = owner;
        return this;
    }

    /** The fd reference this op holds; released by the poller once the op's CQE is reaped. */
    public final Op fdHandle(FdHandle handle) {
        this.fdHandle = handle;
        return this;
    }

    /**
     * Marks the op as a stream read whose bytes must survive an abandoned wait: its buffer is not released
     * at the CQE but kept for {@link #reclaim()} by the stream's next reader (or its close).
     */
    public final Op retainOnAbandon() {
        this.retainOnAbandon = true;
        return this;
    }

    /**
     * Marks a multishot op (multishot accept, for example): the kernel posts a CQE per event, each handed to
     * {@link #onMultishotCqe} on the poller thread; the last one (without IORING_CQE_F_MORE) also completes
     * the op as usual.
     */
    public final Op multishot() {
        this.multishot = true;
        return this;
    }

    /**
     * Called on the poller thread for every CQE of a {@link #multishot()} op, the final one included (before
     * the op completes). Must not block.
     */
    protected void onMultishotCqe(int res, int flags) {
    }

    public final MemorySegment buffer() {
        return buffer;
    }

    /** Takes the buffer back from a done op; the caller now owns it. */
    public final MemorySegment takeBuffer() {
        MemorySegment b = buffer;
        buffer = null;
        return b;
    }

    public final BufferOwner bufferOwner() {
        return bufferOwner;
    }

    public final int opcode() {
        return opcode;
    }

    public final int fd() {
        return fd;
    }

    /** The CQE's res: a non-negative count or fd, or a negative errno. Valid once {@link #isDone()}. */
    public final int result() {
        return result;
    }

    public final int cqeFlags() {
        return cqeFlags;
    }

    public final boolean isDone() {
        int s = (int) STATE.getAcquire(this);
        return s == DONE || s == ABANDONED_DONE;
    }

    final boolean retains() {
        return retainOnAbandon;
    }

    final void armWaiter(Thread t) {
        waiter = t;
        STATE.setRelease(this, PENDING);
    }

    final FdHandle takeFdHandle() {
        FdHandle h = fdHandle;
        fdHandle = null;
        return h;
    }

    final int state() {
        return state;
    }

    /**
     * Poller side: publishes the result. Returns false if the waiter had abandoned the op, in which case
     * the caller (the poller) disposes of it.
     */
    final boolean complete(int res, int flags) {
        this.result = res;
        this.cqeFlags = flags;
        // A reclaiming reader may flip ABANDONED back to PENDING at any moment: retry until one CAS wins.
        for (;;) {
            if (STATE.compareAndSet(this, PENDING, DONE)) {          // result visible before DONE
                // Read after the CAS: a reclaiming reader sets waiter before its CAS to PENDING. Never cleared
                // here: once DONE the owner may already have re-armed the op for its next use, and clearing
                // would lose that use's wake-up (reading the new waiter only costs it a spurious unpark).
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
                return true;
            }
            if (STATE.compareAndSet(this, ABANDONED, ABANDONED_DONE)) { // result visible before ABANDONED_DONE
                return false;
            }
        }
    }

    /**
     * Waiter side: gives up waiting. Returns true if this call moved the op to the registry (the kernel
     * still owns it); false if the op had already completed, so the result is the caller's after all.
     */
    public final boolean abandon() {
        if (STATE.compareAndSet(this, PENDING, ABANDONED)) {
            cancelRequested = true;
            waiter = null;
            return true;
        }
        return false;
    }

    /**
     * True if the op may be {@link #prepare prepared} again: it completed, its owner collected the result, and no
     * cancel request can still name it.
     */
    public final boolean isReusable() {
        return (int) STATE.getAcquire(this) == DONE && !cancelRequested;
    }

    /**
     * Asks the kernel to cancel this op while its waiter keeps waiting (it will see the CQE, usually
     * ECANCELED). Used when a channel closes under a thread that just submitted.
     */
    public final void requestCancel(Poller poller) {
        cancelRequested = true;
        poller.cancel(this);
    }

    /**
     * Stream reader side: becomes the waiter of an op a previous reader abandoned.
     *
     * @return true if the op is again pending with the current thread as waiter, or already completed; the
     * caller then {@link #await()}s it and owns its buffer afterwards
     */
    public final boolean reclaim() {
        waiter = Thread.currentThread();
        if (STATE.compareAndSet(this, ABANDONED, PENDING)) {
            return true;
        }
        waiter = null;
        int s = state;
        if (s == ABANDONED_DONE) {
            STATE.setRelease(this, DONE);
            return true;
        }
        return s == DONE || s == PENDING;
    }

    /** {@link #await}'s mark before the poller was told of the wait ({@link Poller#beforePark}). */
    private static final long UNREGISTERED = Long.MIN_VALUE;

    /**
     * Parks the calling thread until the op completes and returns its result (the CQE's res).
     *
     * <p>On interrupt the wait ends: the op is abandoned, a cancel is sent to the kernel through
     * {@code poller}, the interrupt status stays set and {@link InterruptedIOException} is thrown. If the op
     * completed at the same moment, its result is returned instead (with the interrupt status set).
     *
     * @throws PollerDeadlockException if the wait could never end (it would park {@code poller}'s own thread); the
     *                                 op is abandoned and cancelled as on interrupt
     */
    public final int await(Poller poller) throws InterruptedIOException, PollerDeadlockException {
        int s;
        long mark = UNREGISTERED;
        try {
            while ((s = (int) STATE.getAcquire(this)) == PENDING) {
                if (Thread.currentThread().isInterrupted()) {
                    if (abandon()) {
                        poller.cancel(this);
                        InterruptedIOException e = new InterruptedIOException(
                                IoUringConstants.opName(opcode) + "(fd=" + fd + ") interrupted");
                        e.bytesTransferred = 0;
                        throw e;
                    }
                    continue;
                }
                mark = park(poller, mark, 0);
            }
        } catch (PollerDeadlockException e) {
            abandonAndCancel(poller);
            throw e;
        } finally {
            poller.afterWait(mark);
        }
        if (s != DONE) {
            throw new IllegalStateException("await on an op that is not pending or done: " + this);
        }
        return result;
    }

    /** One park for this op's completion, with the poller told of the wait first ({@link Poller#beforePark}). */
    private long park(Poller poller, long mark, long nanos) throws PollerDeadlockException {
        if (mark == UNREGISTERED) {
            mark = poller.beforePark(this);
        }
        if (nanos > 0) {
            LockSupport.parkNanos(this, nanos);
        } else {
            LockSupport.park(this);
        }
        poller.afterPark(mark, this);
        return mark;
    }

    /** A wait that cannot go on: the op goes to the registry and the kernel is asked to end it. */
    private void abandonAndCancel(Poller poller) {
        if (abandon()) {
            poller.cancel(this);
        }
    }

    /**
     * Parks until the op completes, also across interrupts: the first interrupt sends a cancel to the kernel
     * and the wait goes on until the op's own CQE, so the caller learns exactly what the op did (how many
     * bytes a write moved). The interrupt status stays set for the caller to act on. Prompt for ops the kernel
     * cancels at once (pipes, sockets); an op already running in an io-wq worker finishes first.
     *
     * @throws PollerDeadlockException if the wait could never end (see {@link #await}): then the op is abandoned,
     *                                 and what it did is not known
     */
    public final int awaitCancellingOnInterrupt(Poller poller) throws PollerDeadlockException {
        boolean cancelled = false;
        int s;
        long mark = UNREGISTERED;
        try {
            while ((s = (int) STATE.getAcquire(this)) == PENDING) {
                if (!cancelled && Thread.currentThread().isInterrupted()) {
                    cancelled = true;
                    cancelRequested = true;
                    poller.cancel(this);
                }
                mark = park(poller, mark, 0);
                if (cancelled) {
                    Thread.interrupted(); // park returns at once while the status is set; restored below
                }
            }
        } catch (PollerDeadlockException e) {
            abandonAndCancel(poller);
            throw e;
        } finally {
            poller.afterWait(mark);
            if (cancelled) {
                Thread.currentThread().interrupt();
            }
        }
        if (s != DONE) {
            throw new IllegalStateException("await on an op that is not pending or done: " + this);
        }
        return result;
    }

    /**
     * Parks until the op completes or {@code deadlineNanos} ({@link System#nanoTime()}) passes; on timeout the
     * op is abandoned and cancelled like on interrupt and {@link Long#MIN_VALUE} is returned.
     *
     * @throws PollerDeadlockException if the wait could never end (see {@link #await})
     */
    public final long awaitUntil(Poller poller, long deadlineNanos) throws InterruptedIOException,
            PollerDeadlockException {
        int s;
        long mark = UNREGISTERED;
        try {
            while ((s = (int) STATE.getAcquire(this)) == PENDING) {
                if (Thread.currentThread().isInterrupted()) {
                    return await(poller); // the interrupt path is the same
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    if (abandon()) {
                        poller.cancel(this);
                        return Long.MIN_VALUE;
                    }
                    continue;
                }
                mark = park(poller, mark, left);
            }
        } catch (PollerDeadlockException e) {
            abandonAndCancel(poller);
            throw e;
        } finally {
            poller.afterWait(mark);
        }
        if (s != DONE) {
            throw new IllegalStateException("await on an op that is not pending or done: " + this);
        }
        return result;
    }

    /** Poller side: gives an abandoned op's memory back after its CQE, unless a reader will reclaim it. */
    final void disposeAbandoned() {
        if (retainOnAbandon) {
            return;
        }
        releaseBuffer();
        onAbandonedCompletion(result);
    }

    /**
     * Called on the poller thread when an abandoned op completed: whatever the op produced belongs to nobody
     * else now (an accepted or opened fd must be closed, for example). Must not block.
     */
    protected void onAbandonedCompletion(int res) {
    }

    /**
     * Poller side, when the poller dies: the kernel may still write the buffer, so it is dropped here and never
     * freed or reused (a deliberate leak, the only safe choice).
     */
    final void leakBuffer() {
        buffer = null;
        bufferOwner = null;
        retainOnAbandon = true;   // nothing to release later either
    }

    /** Returns the buffer to its owner, if any. */
    public final void releaseBuffer() {
        MemorySegment b = buffer;
        if (b != null) {
            buffer = null;
            if (bufferOwner != null) {
                bufferOwner.release(b);
            }
        }
    }

    @Override
    public String toString() {
        return IoUringConstants.opName(opcode) + "(fd=" + fd + ", len=" + len + ", off=" + off + ") state=" + state
                + (isDone() ? " res=" + (result < 0 ? Errno.name(result) : Integer.toString(result)) : "");
    }
}
