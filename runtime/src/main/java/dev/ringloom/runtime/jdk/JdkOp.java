package dev.ringloom.runtime.jdk;

import dev.ringloom.runtime.backend.IoErrors;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One JDK-backend op: work running on a helper virtual thread, and the caller waiting for it. A caller that
 * leaves ({@link #await} throws on interrupt or timeout) marks the op abandoned; whoever takes it back
 * ({@link #reclaim}) gets its result. Counts itself in the backend's in-flight and abandoned gauges.
 */
final class JdkOp<T> extends FutureTask<T> {
    private final JdkBackend backend;
    private final String what;
    private final AtomicBoolean abandoned = new AtomicBoolean();

    private volatile boolean finished;

    JdkOp(JdkBackend backend, String what, Callable<T> work) {
        super(work);
        this.backend = backend;
        this.what = what;
    }

    /** Settles the gauges before the result is published, so a woken waiter sees them settled. */
    @Override
    protected void set(T v) {
        settle();
        super.set(v);
    }

    @Override
    protected void setException(Throwable t) {
        settle();
        super.setException(t);
    }

    private void settle() {
        finished = true;
        backend.inFlight.decrementAndGet();
        if (abandoned.compareAndSet(true, false)) {
            backend.abandoned.decrementAndGet();
        }
    }

    /** A new waiter takes over an op a previous one abandoned. */
    void reclaim() {
        if (abandoned.compareAndSet(true, false)) {
            backend.abandoned.decrementAndGet();
        }
    }

    private void abandon() {
        if (!finished && abandoned.compareAndSet(false, true)) {
            backend.abandoned.incrementAndGet();
            if (finished) {
                reclaim();      // settle() ran between the check and the flag: undo
            }
        }
    }

    /**
     * Parks until the op is done. {@code timeoutNanos} 0 waits forever.
     *
     * @throws InterruptedIOException if interrupted first (status set; the op goes on, abandoned)
     * @throws SocketTimeoutException if the timeout passed first (the op goes on, abandoned)
     * @throws IOException            the op's own failure
     */
    T await(String what, long timeoutNanos) throws IOException {
        try {
            return timeoutNanos > 0 ? get(timeoutNanos, TimeUnit.NANOSECONDS) : get();
        } catch (InterruptedException e) {
            abandon();
            Thread.currentThread().interrupt();
            throw IoErrors.interrupted(what, 0);
        } catch (TimeoutException e) {
            abandon();
            throw new SocketTimeoutException("Read timed out (nothing was consumed)");
        } catch (ExecutionException e) {
            throw unwrap(e);
        }
    }

    /** Parks until the op is done, across interrupts (the status is kept). */
    T awaitUninterruptibly() throws IOException {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    return get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw unwrap(e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for {@code latch} across interrupts, keeping the interrupt status. */
    static void awaitUninterruptibly(java.util.concurrent.CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private IOException unwrap(ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof java.nio.channels.ClosedChannelException && backend.isClosed()) {
            IOException closed = JdkBackend.closedError(what);
            closed.initCause(c);
            return closed;
        }
        if (c instanceof IOException io) {
            return io;
        }
        if (c instanceof RuntimeException r) {
            throw r;
        }
        if (c instanceof Error err) {
            throw err;
        }
        return new IOException(c);
    }
}
