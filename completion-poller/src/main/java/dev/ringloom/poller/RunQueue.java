package dev.ringloom.poller;

import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The tasks a poller runs on its own thread between two trips into the kernel: the continuations of the virtual
 * threads scheduled on it ({@link Poller#execute}).
 *
 * <h2>Threads</h2>
 * {@link #addLocal}, {@link #runBatch}, {@link #hasLocal} and {@link #drainLocal} are poller-thread only; the local
 * deque needs no synchronization because the poller's own completions (a CQE handler unparking a reader) are
 * where most tasks come from. {@link #addExternal} may be called by any thread (a timer, a virtual thread of
 * another scheduler); {@link #hasExternal} and {@link #drainExternal} by any. External tasks move to the
 * local deque at the start of a batch, so both kinds run in arrival order per source.
 */
final class RunQueue {
    private final ArrayDeque<Runnable> local = new ArrayDeque<>(1024);
    private final MpscUnboundedVarHandleArrayQueue<Runnable> external = new MpscUnboundedVarHandleArrayQueue<>(1024);
    private final TaskFailureHandler onFailure;
    /** External tasks one batch takes at most; the rest wait for the next pass, after a visit to the ring. */
    static final int MAX_EXTERNAL_PER_BATCH = 1024;
    /**
     * A ringloom waiter mounted in the task running right now, parked or about to park (see
     * {@link Poller#beforePark}); cleared when the task returns. Written on the poller thread only — by the waiter,
     * which runs there — and read by the watchdog: while a batch is stuck, a waiter still here never unmounted.
     */
    private volatile Thread carrierWaiter;
    private static final VarHandle CARRIER_WAITER;

    static {
        try {
            CARRIER_WAITER = MethodHandles.lookup().findVarHandle(RunQueue.class, "carrierWaiter", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** What the poller does with a task that threw: it logs and counts it, and goes on with the next task. */
    @FunctionalInterface
    interface TaskFailureHandler {
        void taskFailed(Runnable task, Throwable failure);
    }

    RunQueue(TaskFailureHandler onFailure) {
        this.onFailure = onFailure;
    }

    void addLocal(Runnable task) {
        local.addLast(task);
    }

    void addExternal(Runnable task) {
        external.offer(task);
    }

    boolean hasLocal() {
        return !local.isEmpty();
    }

    boolean hasExternal() {
        return !external.isEmpty();
    }

    /**
     * Runs the tasks queued so far, up to {@link #MAX_EXTERNAL_PER_BATCH} of the external ones; tasks queued while
     * the batch runs (a thread that yields, a reader unparked by a writer) wait for the next batch, so the ring is
     * entered between two bounded batches however busy the threads are. A task that throws is handed to the failure
     * handler and the batch goes on: one faulty task must not stop the loop that every other socket of the poller
     * depends on. (A virtual thread's continuation never throws; a plain {@code Runnable} given to
     * {@link Poller#execute} may.) Returns the tasks it ran.
     */
    int runBatch() {
        // At most a bounded share of what other threads queued: producers faster than this poller would otherwise
        // make every batch longer than the last, and the ring would wait longer and longer between two visits.
        Runnable t;
        for (int moved = 0; moved < MAX_EXTERNAL_PER_BATCH && (t = external.relaxedPoll()) != null; moved++) {
            local.addLast(t);
        }
        int n = local.size();
        for (int i = 0; i < n; i++) {
            Runnable task = local.pollFirst();
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                onFailure.taskFailed(task, e);
            }
            if (carrierWaiter != null) {
                CARRIER_WAITER.setOpaque(this, (Thread) null);  // the task returned: its waiter unmounted
            }
        }
        return n;
    }

    /** Poller thread (a waiter mounted on it): the running task's thread parks for one of the poller's ops. */
    void waiterParks(Thread t) {
        CARRIER_WAITER.setOpaque(this, t);
    }

    /** Poller thread: the waiter left its wait. */
    void waiterLeaves(Thread t) {
        if (carrierWaiter == t) {
            CARRIER_WAITER.setOpaque(this, (Thread) null);
        }
    }

    /** Any thread: the waiter mounted in the running task, if it registered. */
    Thread carrierWaiter() {
        return (Thread) CARRIER_WAITER.getOpaque(this);
    }

    /** Poller thread, once it stops running tasks: takes the local ones. */
    List<Runnable> drainLocal() {
        List<Runnable> all = new ArrayList<>(local);
        local.clear();
        return all;
    }

    /**
     * Any thread, once the poller stopped running tasks: takes the external ones. Synchronized because the queue
     * has a single consumer, and after the poller's end any thread may be the one that finds tasks left.
     */
    synchronized List<Runnable> drainExternal() {
        List<Runnable> all = new ArrayList<>();
        Runnable t;
        while ((t = external.poll()) != null) {
            all.add(t);
        }
        return all;
    }
}
