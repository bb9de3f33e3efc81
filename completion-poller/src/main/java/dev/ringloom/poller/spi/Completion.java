package dev.ringloom.poller.spi;

import dev.ringloom.poller.PollerDeadlockException;

import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The ownership state machine of one operation a thread waits for, apart from what the operation is: an io_uring
 * op ({@code dev.ringloom.poller.Op}) and a JDK-backend op are both built on it, so waiting, interrupt, timeout,
 * abandon and take-back mean the same on every backend.
 *
 * <h2>States</h2>
 * {@code IDLE → PENDING} ({@link #arm}) {@code → DONE} (the {@link Completer} called {@link #complete}; the waiter
 * collects the result) or {@code PENDING → ABANDONED} (the waiter left: interrupt, timeout, a wait that could never
 * end) {@code → ABANDONED_DONE} ({@link #complete} returned false: whoever completes it disposes of what it holds).
 * {@link #reclaim()} lets a new waiter take back an abandoned operation — a stream's next reader takes the bytes a
 * given-up read received — moving {@code ABANDONED → PENDING} or {@code ABANDONED_DONE → DONE}.
 *
 * <h2>Threads and memory</h2>
 * One waiter at a time; one completer. The completer writes the result (and a subclass its own result fields)
 * before the release store of the state, and the waiter reads them after an acquire load that saw {@code DONE}: a
 * waiter that sees {@code DONE} sees the result. An operation may be armed again only after {@code DONE} and only
 * if it was never cancelled: a stale cancel request may still name it ({@link #isReusable}).
 */
public abstract class Completion {
    /** The states, in {@code state}; a subclass reads them to know where its op stands. */
    protected static final int IDLE = 0, PENDING = 1, DONE = 2, ABANDONED = 3, ABANDONED_DONE = 4;

    /** {@link #await}'s mark before the completer was told of the wait ({@link Completer#beforePark}). */
    private static final long UNREGISTERED = Long.MIN_VALUE;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Completion.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;
    private volatile Thread waiter;
    private boolean cancelRequested;       // waiter-only: a cancel request may still name this operation
    private int result;                    // published by the release store of state

    /** The name of the operation in an {@link InterruptedIOException}'s message. */
    protected abstract String describe();

    /**
     * Makes a done (or never armed) operation idle for its next use.
     *
     * @throws IllegalStateException if it is still pending, abandoned, or a cancel request may still name it
     */
    protected final void reset() {
        int s = state;
        if (s == PENDING || s == ABANDONED || cancelRequested) {
            throw new IllegalStateException("still owned by its completer or abandoned: " + this);
        }
        result = 0;
        STATE.setRelease(this, IDLE);
    }

    /** Submitter side: {@code waiter} (null: nobody) waits from now on. */
    protected final void arm(Thread waiter) {
        this.waiter = waiter;
        STATE.setRelease(this, PENDING);
    }

    /** The state, for the completer's decisions ({@code ABANDONED}: nobody waits any more). */
    protected final int state() {
        return state;
    }

    /**
     * Completer side: publishes {@code res} and wakes the waiter.
     *
     * @return false if the waiter had abandoned the operation: the caller now disposes of what it holds
     */
    protected final boolean complete(int res) {
        this.result = res;
        // A reclaiming waiter may flip ABANDONED back to PENDING at any moment: retry until one CAS wins.
        for (;;) {
            if (STATE.compareAndSet(this, PENDING, DONE)) {          // result visible before DONE
                // Read after the CAS: a reclaiming waiter sets waiter before its CAS to PENDING. Never cleared
                // here: once DONE the owner may already have armed the operation again, and clearing would lose
                // that use's wake-up (reading the new waiter only costs it a spurious unpark).
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

    /** An op in {@code IDLE}, ready to be armed. */
    protected Completion() {
    }

    /** The result: valid once {@link #isDone()} (a count or an fd, or a negative errno for an io_uring op). */
    public final int result() {
        return result;
    }

    /** True once the result is in: the op completed, whether or not its waiter stayed for it. */
    public final boolean isDone() {
        int s = (int) STATE.getAcquire(this);
        return s == DONE || s == ABANDONED_DONE;
    }

    /**
     * Waiter side: gives up waiting.
     *
     * @return true if this call abandoned the operation (its completer still owns it); false if it had completed,
     * so the result is the caller's after all
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
     * True if the operation may be armed again: it completed, its owner collected the result, and no cancel
     * request can still name it.
     */
    public final boolean isReusable() {
        return (int) STATE.getAcquire(this) == DONE && !cancelRequested;
    }

    /** Asks the completer to end the operation early while its waiter keeps waiting (it then sees the result). */
    public final void requestCancel(Completer completer) {
        cancelRequested = true;
        completer.cancel(this);
    }

    /**
     * A new waiter takes over an operation a previous one abandoned; it then awaits it and owns what it produced.
     *
     * @return true if the operation was still running (it is pending again, the calling thread its waiter); false
     * if it had completed meanwhile (it is done: the result is there)
     */
    public final boolean reclaim() {
        waiter = Thread.currentThread();
        if (STATE.compareAndSet(this, ABANDONED, PENDING)) {
            return true;
        }
        waiter = null;
        if (state == ABANDONED_DONE) {
            STATE.setRelease(this, DONE);
        }
        return false;
    }

    /**
     * Parks the calling thread until the operation completes and returns its result.
     *
     * <p>On interrupt the wait ends: the operation is abandoned, a cancel goes to {@code completer}, the interrupt
     * status stays set and {@link InterruptedIOException} is thrown. If the operation completed at the same moment,
     * its result is returned instead (with the interrupt status set).
     *
     * @throws PollerDeadlockException if the wait could never end; the operation is abandoned and cancelled as on
     *                                 interrupt
     */
    public final int await(Completer completer) throws InterruptedIOException, PollerDeadlockException {
        int s;
        long mark = UNREGISTERED;
        try {
            while ((s = (int) STATE.getAcquire(this)) == PENDING) {
                if (Thread.currentThread().isInterrupted()) {
                    if (abandon()) {
                        completer.cancel(this);
                        InterruptedIOException e = new InterruptedIOException(describe() + " interrupted");
                        e.bytesTransferred = 0;
                        throw e;
                    }
                    continue;
                }
                mark = park(completer, mark, 0);
            }
        } catch (PollerDeadlockException e) {
            abandonAndCancel(completer);
            throw e;
        } finally {
            afterWait(completer, mark);
        }
        return collected(s);
    }

    /**
     * Parks until the operation completes, also across interrupts: the first interrupt sends a cancel and the wait
     * goes on until the completion, so the caller learns exactly what the operation did (how many bytes a write
     * moved). The interrupt status stays set for the caller to act on.
     *
     * @throws PollerDeadlockException if the wait could never end (see {@link #await}): then the operation is
     *                                 abandoned, and what it did is not known
     */
    public final int awaitCancellingOnInterrupt(Completer completer) throws PollerDeadlockException {
        boolean cancelled = false;
        int s;
        long mark = UNREGISTERED;
        try {
            while ((s = (int) STATE.getAcquire(this)) == PENDING) {
                if (!cancelled && Thread.currentThread().isInterrupted()) {
                    cancelled = true;
                    cancelRequested = true;
                    completer.cancel(this);
                }
                mark = park(completer, mark, 0);
                if (cancelled) {
                    Thread.interrupted(); // park returns at once while the status is set; restored below
                }
            }
        } catch (PollerDeadlockException e) {
            abandonAndCancel(completer);
            throw e;
        } finally {
            afterWait(completer, mark);
            if (cancelled) {
                Thread.currentThread().interrupt();
            }
        }
        return collected(s);
    }

    /**
     * Parks until the operation completes or {@code deadlineNanos} ({@link System#nanoTime()}) passes; on timeout
     * the operation is abandoned and cancelled as on interrupt and {@link Long#MIN_VALUE} is returned.
     *
     * @throws InterruptedIOException  as {@link #await}
     * @throws PollerDeadlockException if the wait could never end (see {@link #await})
     */
    public final long awaitUntil(Completer completer, long deadlineNanos) throws InterruptedIOException,
            PollerDeadlockException {
        int s;
        long mark = UNREGISTERED;
        try {
            while ((s = (int) STATE.getAcquire(this)) == PENDING) {
                if (Thread.currentThread().isInterrupted()) {
                    return await(completer); // the interrupt path is the same
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    if (abandon()) {
                        completer.cancel(this);
                        return Long.MIN_VALUE;
                    }
                    continue;
                }
                mark = park(completer, mark, left);
            }
        } catch (PollerDeadlockException e) {
            abandonAndCancel(completer);
            throw e;
        } finally {
            afterWait(completer, mark);
        }
        return collected(s);
    }

    /**
     * Parks until the operation completes, across interrupts, without cancelling it (the status is kept): for a
     * close that must collect what an abandoned operation produced.
     */
    public final int awaitUninterruptibly() {
        boolean interrupted = false;
        int s;
        while ((s = (int) STATE.getAcquire(this)) == PENDING) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return collected(s);
    }

    private int collected(int s) {
        if (s != DONE) {
            throw new IllegalStateException("await on an operation that is neither pending nor done: " + this);
        }
        return result;
    }

    /** One park for the completion, with the completer told of the wait first. */
    private long park(Completer completer, long mark, long nanos) throws PollerDeadlockException {
        if (mark == UNREGISTERED) {
            mark = completer.beforePark(this);
        }
        if (nanos > 0) {
            LockSupport.parkNanos(this, nanos);
        } else {
            LockSupport.park(this);
        }
        completer.afterPark(mark, this);
        return mark;
    }

    private static void afterWait(Completer completer, long mark) {
        if (mark != UNREGISTERED) {
            completer.afterWait(mark);
        }
    }

    /** A wait that cannot go on: the operation is abandoned and the completer asked to end it. */
    private void abandonAndCancel(Completer completer) {
        if (abandon()) {
            completer.cancel(this);
        }
    }

    /** For {@code toString()}: the state's name, and the result once done. */
    protected final String stateName() {
        return switch (state) {
            case IDLE -> "idle";
            case PENDING -> "pending";
            case DONE -> "done";
            case ABANDONED -> "abandoned";
            default -> "abandoned, done";
        };
    }
}
