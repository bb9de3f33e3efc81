package dev.ringloom.poller;

import dev.ringloom.poller.spi.Completer;
import dev.ringloom.poller.spi.Completion;
import dev.ringloom.poller.spi.Uninterruptibly;
import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.uring.CompletionQueue;
import dev.ringloom.poller.uring.Cqe;
import dev.ringloom.poller.uring.IoUring;
import dev.ringloom.poller.uring.KernelFeatures;
import dev.ringloom.poller.uring.SubmissionQueue;
import dev.ringloom.poller.uring.UserData;
import org.jctools.queues.varhandle.MpscUnboundedVarHandleArrayQueue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.ringloom.poller.IdlePolicy.FOUND_COMPLETIONS;
import static dev.ringloom.poller.IdlePolicy.FOUND_NOTHING;
import static dev.ringloom.poller.IdlePolicy.FOUND_SUBMISSIONS;
import static dev.ringloom.poller.uring.IoUringConstants.ASYNC_CANCEL_ALL;
import static dev.ringloom.poller.uring.IoUringConstants.ASYNC_CANCEL_ANY;
import static dev.ringloom.poller.uring.IoUringConstants.ENTER_GETEVENTS;
import static dev.ringloom.poller.uring.IoUringConstants.IOSQE_IO_LINK;
import static dev.ringloom.poller.uring.IoUringConstants.OP_ASYNC_CANCEL;
import static dev.ringloom.poller.uring.IoUringConstants.OP_LINK_TIMEOUT;
import static dev.ringloom.poller.uring.IoUringConstants.OP_READ;
import static dev.ringloom.poller.uring.IoUringConstants.SQ_TASKRUN;
import static dev.ringloom.poller.uring.IoUringConstants.SQ_CQ_OVERFLOW;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A platform thread that owns one io_uring: it turns queued {@link Op}s into SQEs, submits them and waits in
 * one {@code io_uring_enter}, reaps CQEs and hands each result to its waiting thread.
 *
 * <h2>Threads</h2>
 * Any thread may {@link #submit} and {@link #cancel}; they only enqueue on a lock-free MPSC queue. Everything
 * that touches the ring, the {@link InFlightTable} and the {@link BufferRegistry}'s contents runs on the poller
 * thread, which is why the ring can be created with {@code IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN}.
 *
 * <h2>Running virtual threads</h2>
 * A poller is also an {@link Executor}: each pass first runs the tasks queued on it ({@link RunQueue}), which are
 * the continuations of virtual threads whose scheduler it is. Such a thread parks in an op's wait, the CQE handler
 * unparks it on this very thread (a deque push), and the next pass runs it, and its sends go out from here: an
 * event loop with blocking code on top. A pass runs only the tasks queued before it began, so the ring is
 * entered between two batches however busy the threads are; a task that blocks the OS thread stalls the ring.
 * A task or a completion handler that throws is logged and counted ({@link #faultsTotal()}); the poller goes on,
 * and the op whose handler threw still completes, so its waiter and its fd's close are never stranded.
 *
 * <h2>Waking</h2>
 * The poller sleeps inside {@code io_uring_enter}, where {@link Thread#interrupt()} cannot reach it. It keeps a
 * read of an eventfd armed in its ring; a submitter writes that eventfd only when the poller announced it is
 * about to sleep ({@code sleeping}: the poller stores it then re-checks the queue, a submitter enqueues then
 * reads it — each side writes before it reads, so at least one sees the other). Busy pollers cost submitters
 * no syscall. Before it sleeps, an {@link IdlePolicy} decides whether to spin briefly (few ops in flight) or give
 * its CPU away and look again (many), watching the queues and the ring's {@code IORING_SQ_TASKRUN} flag. The ring
 * itself is set up by {@link RingSetup}.
 *
 * <h2>Shutdown</h2>
 * {@link #close()} stops new ops (they fail with ECANCELED), cancels everything in flight, waits for every
 * CQE, and only then unmaps the ring: the kernel owns an op's memory until its CQE, whatever else happens.
 */
public final class Poller implements AutoCloseable, Executor, Completer {
    private static final System.Logger LOG = System.getLogger("dev.ringloom");

    private static final int RUNNING = 0, CLOSING = 1, TERMINATED = 2;

    /** Runs the tasks of pollers that ended (their virtual threads still run, on this one platform thread). */
    private static final Executor ORPHANS = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("ringloom-orphaned-tasks").factory());

    private static final VarHandle SLEEPING;
    private static final AtomicBoolean REGISTER_REFUSAL_SAID = new AtomicBoolean();

    static {
        try {
            SLEEPING = MethodHandles.lookup().findVarHandle(Poller.class, "sleeping", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int id;
    private final PollerConfig config;
    private final MpscUnboundedVarHandleArrayQueue<Op> queue = new MpscUnboundedVarHandleArrayQueue<>(1024);
    private final RunQueue tasks = new RunQueue(this::taskFailed);
    private final BufferRegistry registry = new BufferRegistry();
    private final PollerCounters counters = new PollerCounters();
    private final Thread thread;
    private final DeadlockGuard guard;
    private final TaskSlice slice;                  // poller thread only: see yieldIfSliceUsed
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    /**
     * The wake-up eventfd and its references: a waker holds one across its write, so the number is closed only
     * after the last write into it — never while a submitter that won the {@code sleeping} CAS may still write its
     * 8 bytes, which would otherwise land in whatever file reused the number (PITFALLS 12).
     */
    private final FdHandle eventFdHandle;
    Runnable beforeEventFdWrite;                // test hook: runs between a waker's reference and its write
    private final MemorySegment wakeValue;      // 8 bytes: the 1 submitters write to the eventfd

    private volatile int sleeping;              // 1: the poller is (about to be) blocked in io_uring_enter
    private volatile int lifecycle = RUNNING;
    private volatile IOException startFailure;
    private volatile Throwable failure;
    private volatile KernelFeatures features;
    private volatile ProvidedBuffers providedBuffers;  // null: the kernel has no provided-buffer rings, or none wanted
    private final RegisteredBuffers registered;         // null: none wanted
    private volatile boolean registeredBuffers;         // the ring has registered's slots as its fixed buffers

    // Poller-thread only.
    private IoUring ring;
    private SubmissionQueue sq;
    private CompletionQueue cq;
    private final InFlightTable table;
    private final Arena ringArena = Arena.ofShared(); // memory the kernel reads or writes through the ring
    private final MemorySegment wakeReadBuffer; // 8 bytes the armed eventfd read writes into
    private final MemorySegment timespecs;      // one struct __kernel_timespec per SQE slot, for linked timeouts
    private IdlePolicy idle;                    // how to wait before a sleep in the kernel
    private final RecentActivity activity = new RecentActivity(ReapingPollers.PROCESS); // ops busy, for the idle
    private final PlugLimit plugLimit;          // device reads and writes per enter
    private final IdlePolicy.WorkProbe workProbe = this::lookForWork;
    private boolean wakeArmed;
    private boolean shutdownCancelSent;
    private int lastReaped = 1;                 // CQEs the last pass reaped: after none, the next may sleep
    private final CompletionQueue.Handler handler = this::onCompletion;

    private Poller(int id, PollerConfig config, Arena arena, int eventFd, RegisteredBuffers registered) {
        this.id = id;
        this.registered = registered;
        this.config = config;
        this.eventFdHandle = new FdHandle(eventFd);
        this.table = new InFlightTable(config.sqEntries());
        this.plugLimit = new PlugLimit(config.deviceOpsPerEnter());
        this.wakeValue = arena.allocate(JAVA_LONG);
        this.wakeValue.set(JAVA_LONG, 0, 1L);
        this.wakeReadBuffer = ringArena.allocate(JAVA_LONG);
        // The kernel copies a linked timeout's timespec when it consumes the SQE, so a slot's timespec is
        // free again exactly when the SQE slot is: one per slot, freed with the ring.
        this.timespecs = ringArena.allocate(16L * config.sqEntries(), 8);
        this.thread = new PollerThread(this, "ringloom-poller-" + id, this::run);
        this.guard = new DeadlockGuard(id, thread, tasks);
        this.slice = new TaskSlice(guard);
    }

    /**
     * Starts a poller thread and creates its ring on it.
     *
     * @throws IoUringUnavailableException if the kernel refuses io_uring, with the reason
     * @throws IOException                 if the ring or eventfd cannot be created
     */
    public static Poller start(int id, PollerConfig config) throws IOException {
        return start(id, config, null);
    }

    /**
     * Starts a poller whose ring registers {@code registered} (null: none); a ring the kernel refuses it goes on
     * without ({@link #registeredBuffers()} null), said once per process.
     */
    public static Poller start(int id, PollerConfig config, RegisteredBuffers registered) throws IOException {
        int efd = Libc.eventfd(0, Libc.EFD_CLOEXEC);
        if (efd < 0) {
            throw Errno.exception("eventfd", efd);
        }
        // The wake-up value lives as long as the JVM: a submitter's eventfd write may race with shutdown,
        // so it is never freed (8 bytes per poller ever started).
        Poller p = new Poller(id, config, Arena.global(), efd, registered);
        p.thread.start();
        Uninterruptibly.await(p.started);   // start and close are not ops
        if (p.startFailure != null) {
            p.eventFdHandle.close();
            throw p.startFailure;
        }
        return p;
    }

    private void openRing() throws IOException {
        RingSetup.Opened opened = RingSetup.open(config);
        ring = opened.ring();
        features = opened.features();
        if (config.recvBuffers() > 0) {
            providedBuffers = ProvidedBuffers.register(ring, config.recvBuffers(), config.recvBufferSize());
        }
        if (registered != null) {
            int r = registered.registerWith(ring);
            registeredBuffers = r == 0;
            if (r < 0 && REGISTER_REFUSAL_SAID.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.INFO, "ringloom: the kernel refused registered buffers ("
                        + Errno.name(-r) + (r == -Errno.ENOMEM ? ", RLIMIT_MEMLOCK too small for "
                        + registered.bytes() / 1024 + " KiB" : "") + "); owned buffers are pinned per op instead");
            }
        }
        idle = IdlePolicy.of(config, ring.setupFlags());
        sq = ring.sq();
        cq = ring.cq();
    }

    private void run() {
        try {
            openRing();
        } catch (IOException e) {
            startFailure = e;
            ringArena.close();
            lifecycle = TERMINATED;
            started.countDown();
            terminated.countDown();
            return;
        }
        started.countDown();
        PollerWatchdog.watch(this);
        try {
            loop();
            ring.close();                       // every CQE was reaped: the kernel holds nothing of ours
            ringArena.close();
            if (providedBuffers != null) {
                providedBuffers.free();         // the ring's close dropped the kernel's registration
            }
            eventFdHandle.close();              // now, or after the write of a waker still inside signal()
        } catch (RuntimeException | Error e) {
            die(e);
        } finally {
            lifecycle = TERMINATED;
            activity.leave();
            PollerWatchdog.forget(this);
            failQueuedAfterTermination();
            tasks.drainLocal().forEach(ORPHANS::execute);
            tasks.drainExternal().forEach(ORPHANS::execute);
            terminated.countDown();
        }
    }

    private void loop() {
        // One pass per method call: the JIT compiles a method after a few thousand calls, while a loop in a
        // method entered once waits for on-stack replacement — measured: ~10 s interpreted under load.
        while (pass()) {
            // next pass
        }
    }

    /** One round: queue to SQEs, submit, maybe yield or sleep, reap. Returns false once shut down and drained. */
    private boolean pass() {
        activity.ranTasks(guard.runBatch());
        if (lifecycle != RUNNING && !shutdownCancelSent && sq.space() > 0) {
            // Everything in flight, our eventfd read included, gets a cancel; we still wait for each CQE.
            sq.add(OP_ASYNC_CANCEL, (byte) 0, 0, 0, 0, 0, ASYNC_CANCEL_ANY | ASYNC_CANCEL_ALL, UserData.CANCEL,
                    (short) 0);
            shutdownCancelSent = true;
        }
        if (!wakeArmed && lifecycle == RUNNING && sq.space() > 0) {
            // Before the queue's ops, so they never take its slot: a full SQ left by an enter that answered
            // EAGAIN or EBUSY must not leave the poller asleep with nothing to wake it.
            sq.add(OP_READ, (byte) 0, eventFdHandle.fd(), -1L, wakeReadBuffer.address(), 8, 0, UserData.WAKE,
                    (short) 0);
            wakeArmed = true;
        }
        int added = drainQueue();
        int toSubmit = sq.flush();
        if (shutdownCancelSent && table.size() == 0 && !wakeArmed && toSubmit == 0) {
            return false;
        }
        boolean overflow = (sq.lvFlags() & SQ_CQ_OVERFLOW) != 0;
        int minComplete = 0;
        boolean wakeable = wakeArmed || lifecycle != RUNNING;   // else a sleep could not be cut short
        if (added == 0 && lastReaped == 0 && !tasks.hasLocal() && !overflow && wakeable) {
            int found = FOUND_NOTHING;
            if (lifecycle == RUNNING) {
                activity.roll(System.nanoTime());
                found = idle.idle(table.size(), activity, workProbe);
            }
            if (found == FOUND_SUBMISSIONS) {
                return true;                    // drain them: no sleep, no wake-up
            }
            if (found == FOUND_NOTHING) {
                SLEEPING.setVolatile(this, 1);  // store SLEEPING, then load the queue (Dekker with submit)
                if (queue.isEmpty() && !tasks.hasExternal() && (lifecycle == RUNNING || shutdownCancelSent)) {
                    minComplete = 1;
                } else {
                    SLEEPING.setVolatile(this, 0);
                }
            }                                   // FOUND_COMPLETIONS: a non-blocking enter collects them
        }
        if (overflow) {
            counters.overflowed();              // entering with GETEVENTS flushes the kernel's backlog
        }
        int r = ring.enter(toSubmit, minComplete, ENTER_GETEVENTS);
        if (minComplete != 0) {
            SLEEPING.setVolatile(this, 0);
        }
        submitted(r, toSubmit);
        plugLimit.entered(false);
        lastReaped = cq.reap(handler);
        return true;
    }

    /** Submits the SQEs written so far, without waiting: the device read or write to be written next needs an enter. */
    private void submitWritten() {
        int toSubmit = sq.flush();
        submitted(ring.enter(toSubmit, 0, 0), toSubmit);
    }

    private void submitted(int r, int toSubmit) {
        if (r < 0 && r != -Errno.EINTR && r != -Errno.EAGAIN && r != -Errno.EBUSY) {
            // The SQEs stay in the ring and remain the kernel's: nothing is freed here (PITFALLS 1).
            throw new IllegalStateException("io_uring_enter(fd=" + ring.fd() + ", to_submit=" + toSubmit + "): "
                    + Errno.describe(r));
        }
        if (r > 0) {
            counters.submitted(r);
        }
    }

    /** Completions the kernel has ready (or deferred task work that will post them), else queued work. */
    private int lookForWork() {
        if ((sq.lvFlags() & SQ_TASKRUN) != 0 || cq.hasCompletions()) {
            return FOUND_COMPLETIONS;
        }
        return !queue.isEmpty() || tasks.hasExternal() ? FOUND_SUBMISSIONS : FOUND_NOTHING;
    }

    /**
     * Runs {@code task} on the poller thread, between two trips into the kernel: this poller is then the
     * scheduler of virtual threads, whose continuations are the tasks (see {@code PollerThreads} in the runtime).
     * A task queued by the poller thread itself — a completion unparking its reader — costs one deque push; one
     * queued by another thread wakes a sleeping poller like a submission does. Tasks must not block the thread
     * outside a virtual thread's park: every op of this ring waits while one runs (the watchdog logs a task stuck
     * longer than {@code ringloom.stuckTaskMillis}), and a task that waits for one of this poller's own ops is a
     * <b>deadlock</b> — refused with {@link PollerDeadlockException}, as is a virtual thread's wait while pinned on
     * this thread. A task that throws is logged and the poller goes on. After the poller ended, tasks run on
     * {@link #ORPHANS}, one platform thread for all dead pollers, so no virtual thread is stranded.
     */
    @Override
    public void execute(Runnable task) {
        if (lifecycle == TERMINATED) {
            // Also on the poller thread itself: its last steps (failing queued ops, releasing close()'s waiters)
            // unpark threads after it drained its local tasks for the last time.
            ORPHANS.execute(task);
            return;
        }
        if (Thread.currentThread() == thread) {
            tasks.addLocal(task);
            return;
        }
        tasks.addExternal(task);
        wake();
        if (lifecycle == TERMINATED) {
            tasks.drainExternal().forEach(ORPHANS::execute);   // the poller may have drained before our offer
        }
    }

    /** Moves queued ops into free SQE slots; returns how many SQEs were written. */
    private int drainQueue() {
        int added = 0;
        while (sq.space() >= 2) {                             // an op with a linked timeout takes two
            Op op = queue.relaxedPoll();
            if (op == null) {
                break;
            }
            long key = op.userData;
            if (key == 0) {                                   // a new op
                if (op.isAbandoned() || lifecycle != RUNNING) {
                    finish(op, -Errno.ECANCELED, 0);
                    continue;
                }
                if (plugLimit.enterBefore(op)) {
                    submitWritten();                          // an EAGAIN/EBUSY leaves them for the pass's enter
                    plugLimit.entered(true);
                }
                key = table.add(op);
                op.userData = key;
                long timeout = op.linkTimeoutNanos;
                byte flags = timeout > 0 ? (byte) (op.sqeFlags | IOSQE_IO_LINK) : op.sqeFlags;
                sq.add(op.opcode, flags, op.ioprio, op.fd, op.off, op.addr, op.len, op.opFlags, key, op.bufIndex);
                added++;
                if (timeout > 0) {
                    long ts = 16L * sq.nextIndex();
                    timespecs.set(JAVA_LONG, ts, timeout / 1_000_000_000L);
                    timespecs.set(JAVA_LONG, ts + 8, timeout % 1_000_000_000L);
                    sq.add(OP_LINK_TIMEOUT, (byte) 0, -1, 0, timespecs.address() + ts, 1, 0, UserData.LINK_TIMEOUT,
                            (short) 0);
                    added++;
                }
                counters.inFlight(table.size());
            } else if (key > 0) {                             // a cancel request for an op in flight
                if (op.isAbandoned()) {
                    registry.adopt(op);
                }
                sq.add(OP_ASYNC_CANCEL, (byte) 0, 0, 0, key, 0, 0, UserData.CANCEL, (short) 0);
                added++;
            }                                                 // key < 0: completed already; stale request
        }
        return added;
    }

    private void onCompletion(long userData, int res, int flags) {
        if (UserData.isInternal(userData)) {
            if (userData == UserData.WAKE) {
                wakeArmed = false;
                counters.wokenUp();
            }
            return;                                           // cancel results: the target's CQE tells all
        }
        if ((flags & Cqe.F_MORE) != 0) {                      // a multishot op goes on
            Op op = table.get(userData);
            if (op != null) {
                activity.completed(op);
                try {
                    op.onMultishotCqe(res, flags);
                } catch (RuntimeException | Error e) {
                    // Its owner may have lost track of it: end the op, so the final CQE tells the owner it is over.
                    fault("the multishot handler of " + op, e);
                    op.requestCancel(this);
                }
            }
            return;
        }
        Op op = table.remove(userData);
        if (op == null) {
            // A ringloom bug, never a user error: say so loudly, but keep serving the other ops.
            if (counters.stray() == 1) {
                LOG.log(System.Logger.Level.ERROR, "ringloom poller " + id + ": CQE for unknown user_data 0x"
                        + Long.toHexString(userData) + " res=" + res + " (further ones are only counted)");
            }
            return;
        }
        counters.inFlight(table.size());
        counters.completed();
        activity.completed(op);
        registry.onFinalCompletion(op);
        try {
            if (op.multishot) {
                op.onMultishotCqe(res, flags);
            }
        } catch (RuntimeException | Error e) {
            fault("the final multishot handler of " + op, e);
        } finally {
            finish(op, res, flags);                           // whatever a handler did, the op ends here
        }
    }

    /**
     * The last step of every op, whether its CQE arrived or the kernel never saw it: publish the result to the
     * waiter (or dispose of what an abandoned op holds), then drop its fd reference — which closes the fd if
     * the op was the last user of a closing one. A failing disposal is reported and the reference still dropped,
     * so a close waiting for this fd is never stranded.
     */
    private void finish(Op op, int res, int flags) {
        op.userData = -1;
        FdHandle handle = op.takeFdHandle();
        try {
            if (!op.complete(res, flags)) {
                registry.dispose(op);         // the waiter left: the registry gives back what the op held
            }
        } catch (RuntimeException | Error e) {
            fault("the completion of " + op, e);
        } finally {
            if (handle != null) {
                handle.release();
            }
        }
    }

    /** A task given to {@link #execute} threw: logged and counted; the poller goes on. */
    private void taskFailed(Runnable task, Throwable e) {
        fault("task " + task, e);
    }

    private void fault(String what, Throwable e) {
        long n = counters.fault();
        LOG.log(System.Logger.Level.ERROR, "ringloom poller " + id + ": " + what + " threw (fault " + n
                + "); the poller goes on", e);
    }

    /**
     * Hands {@code op} to the kernel. The calling thread becomes its waiter ({@link Op#await}).
     *
     * @throws IOException if the poller is closed (the op was not taken; the caller still owns it)
     */
    public void submit(Op op) throws IOException {
        enqueue(op, Thread.currentThread());
    }

    /** Like {@link #submit} for an op nobody waits for (a close-time cancel, for example). */
    public void submitDetached(Op op) throws IOException {
        enqueue(op, null);
    }

    private void enqueue(Op op, Thread waiter) throws IOException {
        if (lifecycle != RUNNING) {
            Throwable why = failure;
            throw why == null ? new IOException("ringloom poller " + id + " is closed")
                    : new IOException("ringloom poller " + id + " failed", why);
        }
        op.armWaiter(waiter);
        queue.offer(op);
        wake();
        if (lifecycle == TERMINATED) {
            failQueuedAfterTermination();
        }
    }

    /**
     * Asks the kernel to cancel {@code c}, an {@link Op} of this poller whose waiter abandoned it or wants it ended.
     * Never blocks.
     */
    @Override
    public void cancel(Completion c) {
        queue.offer((Op) c);
        wake();
        if (lifecycle == TERMINATED) {
            failQueuedAfterTermination();
        }
    }

    private void wake() {
        if (sleeping == 1 && SLEEPING.compareAndSet(this, 1, 0)) {  // one write per sleep
            signal();
        }
    }

    /** Writes the eventfd under a reference; once the poller has ended there is nobody to wake. */
    private void signal() {
        int fd;
        try {
            fd = eventFdHandle.acquire();
        } catch (ClosedChannelException ended) {
            return;
        }
        try {
            Runnable hook = beforeEventFdWrite;
            if (hook != null) {
                hook.run();
            }
            Libc.write(fd, wakeValue.address(), 8);
        } finally {
            eventFdHandle.release();
        }
    }

    /** After the poller thread ended, nobody else consumes the queue: fail what is left, one thread at a time. */
    private void failQueuedAfterTermination() {
        synchronized (queue) {
            Op op;
            while ((op = queue.poll()) != null) {
                if (op.userData == 0) {
                    finish(op, -Errno.ECANCELED, 0);
                }
            }
        }
    }

    /**
     * The ring cannot be used any more. Every op in flight may still be in the kernel, so its memory is leaked
     * and its fd kept open forever; but its waiter is woken with EIO (and {@link #failure()} says why), so no
     * thread hangs on a dead poller.
     */
    private void die(Throwable t) {
        failure = t;
        lifecycle = TERMINATED;
        List<Op> orphans = table.snapshot();
        LOG.log(System.Logger.Level.ERROR, "ringloom poller " + id + " failed; " + orphans.size()
                + " ops stay owned by the kernel: their memory is never freed and their fds never closed", t);
        for (Op op : orphans) {
            op.leakBuffer();
            FdHandle handle = op.takeFdHandle();
            if (handle != null) {
                handle.orphan();
            }
            op.userData = -1;
            try {
                if (op.multishot) {
                    op.onMultishotCqe(-Errno.EIO, 0);   // a multishot op's owner learns of its end here
                }
            } catch (RuntimeException | Error e) {
                fault("the final multishot handler of " + op, e);
            } finally {
                op.complete(-Errno.EIO, 0);
            }
        }
    }

    /**
     * Stops accepting ops, cancels all in flight, waits for every CQE, then frees the ring. Waiters of
     * cancelled ops see ECANCELED. Idempotent; blocks until the poller thread has ended.
     */
    @Override
    public void close() {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("ringloom poller " + id + " cannot be closed from a task it runs: close"
                    + " waits for the poller's thread to end, and that would be a deadlock");
        }
        if (lifecycle == RUNNING) {
            lifecycle = CLOSING;
            SLEEPING.setVolatile(this, 0);
            signal();
        }
        Uninterruptibly.await(terminated);
    }

    public int id() {
        return id;
    }

    /**
     * Called by a thread about to park until this poller completes something for it (an op's CQE, a multishot's
     * next chunk, the last CQE before a close). A park on the poller's own OS thread could never end: it is refused
     * here for a task given to {@link #execute}; a virtual thread scheduled on this poller registers, because if it
     * is pinned (a class initializer, a native frame) its park will not unmount, and {@link #afterPark} then fails
     * it once the watchdog finds the poller stuck.
     *
     * @param what names the wait in the exception, e.g. the op; its {@code toString()} runs only when thrown
     * @return a mark for {@link #afterPark}
     * @throws PollerDeadlockException if the caller is the poller's own thread
     */
    @Override
    public long beforePark(Object what) throws PollerDeadlockException {
        return guard.beforePark(what);
    }

    /**
     * Refuses a wait for this poller's completions on the poller's own OS thread, where it could never end.
     *
     * @throws PollerDeadlockException if the caller is the poller's thread (a task given to {@link #execute})
     */
    public void refuseOwnThread(Object what) throws PollerDeadlockException {
        guard.refuseOwnThread(what);
    }

    /**
     * Called each time the park after {@link #beforePark} returned and the thread still waits.
     *
     * @throws PollerDeadlockException if the thread is parked pinned on this poller's thread: the watchdog woke it,
     *                                 and no batch has begun since it parked, so it never unmounted
     */
    @Override
    public void afterPark(long mark, Object what) throws PollerDeadlockException {
        guard.afterPark(mark, what);
    }

    /** Called when the wait that {@link #beforePark} began is over, however it ended. */
    @Override
    public void afterWait(long mark) {
        guard.afterWait(mark);
    }

    /** The watchdog's view of this poller's batches and pinned waiters. */
    DeadlockGuard guard() {
        return guard;
    }

    Thread thread() {
        return thread;
    }

    /** The wake-up eventfd's number; tests check it is never reused under a waker. */
    int eventFd() {
        return eventFdHandle.fd();
    }

    /** The ring's fd; tests use it to break a poller on purpose. */
    int ringFd() {
        return ring.fd();
    }

    public boolean isOpen() {
        return lifecycle == RUNNING;
    }

    /**
     * True if the caller is a virtual thread mounted on this poller's thread (scheduled on it, see {@link #execute}):
     * an op it submits now goes into the ring with the rest of this pass's SQEs, in the same {@code io_uring_enter},
     * and its CQE resumes it on this thread. False where the JDK does not tell a virtual thread's carrier.
     */
    public boolean runsCurrentThread() {
        return guard.mountedOnPoller();
    }

    /**
     * True if the caller is a virtual thread on the JDK's own scheduler, whose every wait for a poller ends with a
     * hand-off to a carrier thread the JDK may have parked (not one scheduled on a poller, see {@link #execute}).
     */
    public static boolean currentThreadOnJdkScheduler() {
        return Carriers.onJdkScheduler();
    }

    /**
     * Called by a thread whose IO just completed without a wait (a read the page cache answered, a copy from tmpfs):
     * if it is a virtual thread scheduled on a poller whose running batch of tasks has had its slice of such IO
     * ({@code -Dringloom.taskSliceMicros}, 100 us), it yields, so that the poller's loop reaps and submits and its
     * other threads run before this one goes on. A thread that never parks would otherwise hold every socket of its
     * poller for as long as it reads. Any other thread returns at once.
     */
    public static void yieldIfSliceUsed() {
        if (Thread.currentThread().isVirtual() && Carriers.current() instanceof PollerThread carrier
                && carrier.poller.slice.used(System.nanoTime())) {
            Thread.yield();
        }
    }

    /** What the kernel offers, as probed when this poller's ring was created. */
    public KernelFeatures features() {
        return features;
    }

    /** Ops the kernel owns right now (this poller's {@link InFlightTable}). */
    public int inFlight() {
        return counters.inFlight();
    }

    /**
     * The ring's provided receive buffers (memory stays owned by the poller, freed after its ring), or null if
     * the kernel refused them or {@link PollerConfig#recvBuffers()} is 0.
     */
    public ProvidedBuffers providedBuffers() {
        return providedBuffers;
    }

    /**
     * The memory this ring has as its fixed buffers, or null: none was given, or the kernel refused it (a fixed read
     * or write on this ring must then not be submitted).
     */
    public RegisteredBuffers registeredBuffers() {
        return registeredBuffers ? registered : null;
    }

    /** The registry of abandoned ops' buffers. */
    public BufferRegistry registry() {
        return registry;
    }

    public long completedTotal() {
        return counters.completedTotal();
    }

    public long submittedTotal() {
        return counters.submittedTotal();
    }

    /** Loop turns that found the CQ overflowed and flushed the kernel's backlog. */
    public long overflowsTotal() {
        return counters.overflowsTotal();
    }

    /** Times the poller was woken from sleep by a submitter. */
    public long wakeupsTotal() {
        return counters.wakeupsTotal();
    }

    /** Tasks and completion handlers that threw; each was logged, and the poller went on. */
    public long faultsTotal() {
        return counters.faultsTotal();
    }

    /** CQEs that matched no op in flight: a ringloom bug if ever non-zero. */
    public long strayCompletionsTotal() {
        return counters.straysTotal();
    }

    /** The error that ended the poller thread, or null. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public String toString() {
        return "Poller[" + id + ", inFlight=" + inFlight() + ", registry=" + registry.size() + "]";
    }
}
