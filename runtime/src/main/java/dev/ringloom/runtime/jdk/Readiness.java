package dev.ringloom.runtime.jdk;

import dev.ringloom.poller.spi.Uninterruptibly;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * The JDK backend's readiness thread: one thread and one {@link Selector} for every channel of a backend, waking
 * the threads that wait for a non-blocking channel to become ready ({@link NonBlockingChannel}).
 *
 * <p>A waiter adds its op to the key's interest and, if the op was not there, wakes the selector. When the op fires,
 * this thread takes it out of the interest <em>before</em> it looks for the waiter, so a waiter's next wait can add
 * it again without the two racing (interest updates are atomic bit operations on the key); it puts the op back only
 * for a waiter it found and woke ({@link #KEEP_INTEREST}). A fire that finds no waiter leaves the op out: a
 * level-triggered selector would otherwise report a readable channel on every select until someone read it.
 *
 * <p>Thread-safe. Started by the first wait; {@link #close} ends it after the backend closed its channels.
 */
final class Readiness implements AutoCloseable {
    /**
     * Whether an op whose waiter a fire woke stays in the interest ({@code ringloom.jdkKeepInterest}): the woken
     * thread usually waits for the same op again soon (a request/response connection's next message), and then finds
     * it registered already — no interest update, no wakeup of the selector, no {@code epoll_ctl}. The price is one
     * more fire if the selector selects again before the woken thread took the bytes, which the yield after a select
     * that fired makes rare (so only where the selector is a virtual thread); a fire that finds no waiter clears the
     * op for good.
     */
    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");
    static final boolean KEEP_INTEREST = LINUX && !"false".equals(System.getProperty("ringloom.jdkKeepInterest"));
    private static final System.Logger LOG = System.getLogger(Readiness.class.getName());

    private final ConcurrentLinkedQueue<CountDownLatch> barriers = new ConcurrentLinkedQueue<>();
    private Selector selector;      // guarded by this until published through started
    private Thread thread;
    private volatile boolean started, closed;

    /** The selector, opened with its thread on first use. */
    Selector selector() throws IOException {
        if (started) {
            return selector;
        }
        synchronized (this) {
            if (closed) {
                throw JdkBackend.closedError("wait");
            }
            if (!started) {
                selector = Selector.open();
                // A virtual thread on Linux, where the JDK parks a selecting virtual thread on its own poller: the
                // waiters it wakes are then a carrier's local pushes, and the backend adds no OS thread.
                thread = (LINUX ? Thread.ofVirtual() : Thread.ofPlatform().daemon())
                        .name("ringloom-jdk-readiness").unstarted(this::run);
                thread.start();
                started = true;
            }
            return selector;
        }
    }

    /** Wakes the selector so that it applies interest changes made since it began waiting. */
    void wakeup() {
        selector.wakeup();
    }

    /**
     * Returns once the selector has begun a select after this call: every key cancelled before it is then
     * deregistered, and the JDK has closed the fd of a channel whose close it deferred for the registration.
     */
    void awaitDeregistered() {
        if (!started || closed) {
            return;
        }
        CountDownLatch passed = new CountDownLatch(1);
        barriers.add(passed);
        selector.wakeup();
        if (closed) {
            return;                     // close counts every barrier down
        }
        Uninterruptibly.await(passed);
    }

    private void run() {
        List<CountDownLatch> passing = new ArrayList<>();
        int failures = 0;               // in a row
        try {
            while (!closed) {
                CountDownLatch b;
                while ((b = barriers.poll()) != null) {
                    passing.add(b);
                }
                try {
                    if (passing.isEmpty()) {
                        if (selector.select(Readiness::fire) > 0 && Thread.currentThread().isVirtual()) {
                            Thread.yield();         // the woken run first on this carrier and take their bytes
                        }
                    } else {
                        selector.selectNow(Readiness::fire);   // deregisters what was cancelled before the barriers
                    }
                    failures = 0;
                } catch (IOException | RuntimeException e) {
                    if (e instanceof ClosedSelectorException c) {
                        throw c;
                    }
                    // Every wait of the backend depends on this thread: it must outlive any one failure.
                    pauseAfter(e, ++failures);
                }
                for (CountDownLatch p : passing) {
                    p.countDown();
                }
                passing.clear();
            }
        } catch (ClosedSelectorException endedByClose) {
            // closed under a select: the loop's end
        } finally {
            for (CountDownLatch p : passing) {
                p.countDown();
            }
        }
    }

    /**
     * Logs a failed select at the 1st, 2nd, 4th, 8th... failure in a row and pauses before the retry, 2 ms doubling
     * up to a second: a select that fails every time must neither flood the log nor spin a core. {@link #close}
     * cuts a pause short.
     */
    private void pauseAfter(Exception e, int inARow) {
        if (Integer.bitCount(inARow) == 1) {
            LOG.log(System.Logger.Level.WARNING, "ringloom: the JDK backend's select failed"
                    + (inARow > 1 ? " " + inARow + " times in a row" : "") + "; retrying", e);
        }
        if (!closed) {
            LockSupport.parkNanos(Math.min(1L << Math.min(inARow, 10), 1000L) * 1_000_000L);
        }
    }

    /**
     * On this thread: the ops that fired leave the interest, then their waiters are woken; an op whose waiter was
     * found goes back into the interest ({@link #KEEP_INTEREST}). Clearing first and reading the waiter after is what
     * makes that safe: a waiter that added the op before the clear was published before it, so it is found here and
     * woken; one that adds it after the clear sees the op missing and wakes the selector itself.
     */
    private static void fire(SelectionKey key) {
        NonBlockingChannel waits = (NonBlockingChannel) key.attachment();
        int ready;
        try {
            ready = key.readyOps();
            key.interestOpsAnd(~ready);
        } catch (CancelledKeyException closing) {
            waits.wake(SelectionKey.OP_READ | SelectionKey.OP_WRITE);   // its close wakes them too: a spare wake
            return;
        }
        int woken = waits.wake(ready);
        if (KEEP_INTEREST && woken != 0) {
            try {
                key.interestOpsOr(woken);
            } catch (CancelledKeyException closing) {
                // closed meanwhile: nothing to wait for
            }
        }
    }

    /** Ends the thread and closes the selector; the backend closed every channel first. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        if (t == null) {
            return;
        }
        selector.wakeup();
        LockSupport.unpark(t);          // out of a pause after a failed select
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing waits on it any more
        }
        CountDownLatch b;
        while ((b = barriers.poll()) != null) {
            b.countDown();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
