package dev.ringloom.runtime.jdk;

import dev.ringloom.poller.spi.Completer;
import dev.ringloom.poller.spi.Completion;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.Callable;

/**
 * One JDK-backend op (a file's read, write or fsync): {@code work} running on a helper virtual thread,
 * the caller waiting for it. Its waiting and abandon are {@link Completion}'s, as for an io_uring op; the helper is
 * its completer, and the JDK's blocking call cannot be cancelled, so an abandoned op runs to its end into the
 * helper's own buffer (or hands the caller's lent one to {@code afterAbandoned}). Counts itself in the backend's
 * in-flight and abandoned gauges.
 *
 * <p>Thread-safe in {@link Completion}'s terms: one waiter at a time, one helper completes it.
 */
final class JdkOp<T> extends Completion implements Runnable {
    private final JdkBackend backend;
    private final String what;
    private final Callable<T> work;
    private final Runnable afterAbandoned;  // run by the helper when it finished an op nobody waited for any more
    // Written by the helper before Completion's release store of the state, read by the waiter after DONE.
    private T value;
    private Throwable failure;

    JdkOp(JdkBackend backend, String what, Callable<T> work, Runnable afterAbandoned) {
        this.backend = backend;
        this.what = what;
        this.work = work;
        this.afterAbandoned = afterAbandoned;
        arm(Thread.currentThread());
    }

    /** The helper's side: runs the work, settles the gauge, then publishes the outcome (a woken waiter sees it settled). */
    @Override
    public void run() {
        try {
            value = work.call();
        } catch (Throwable t) {
            failure = t;
        }
        backend.inFlight.decrementAndGet();
        if (!complete(0)) {
            backend.abandoned.decrementAndGet();  // nobody waited any more; a reclaiming waiter still gets it
            afterAbandoned.run();
        }
    }

    /**
     * Parks until the op is done. {@code timeoutNanos} 0 waits forever.
     *
     * @throws InterruptedIOException if interrupted first (status set; the op goes on, abandoned)
     * @throws SocketTimeoutException if the timeout passed first (the op goes on, abandoned)
     * @throws IOException            the op's own failure
     */
    T await(String call, long timeoutNanos) throws IOException {
        try {
            if (timeoutNanos > 0) {
                if (awaitUntil(Completer.UNGUARDED, System.nanoTime() + timeoutNanos) == Long.MIN_VALUE) {
                    backend.abandoned.incrementAndGet();
                    throw new SocketTimeoutException(call + ": timed out");
                }
            } else {
                await(Completer.UNGUARDED);
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (InterruptedIOException e) {
            backend.abandoned.incrementAndGet();
            InterruptedIOException named = new InterruptedIOException(call + " interrupted");
            named.bytesTransferred = 0;
            throw named;
        }
        return outcome();
    }

    /** Parks until the op is done, across interrupts (the status is kept), and returns what the work returned. */
    T join() throws IOException {
        awaitUninterruptibly();
        return outcome();
    }

    private T outcome() throws IOException {
        Throwable c = failure;
        if (c == null) {
            return value;
        }
        if (c instanceof ClosedChannelException closed) {
            return throwing(backend.inItsWords(what, closed));
        }
        if (c instanceof IOException io) {
            return throwing(io);
        }
        if (c instanceof RuntimeException r) {
            throw r;
        }
        if (c instanceof Error err) {
            throw err;
        }
        return throwing(new IOException(c));
    }

    private static <T> T throwing(IOException e) throws IOException {
        throw e;
    }

    @Override
    protected String describe() {
        return what;
    }

    @Override
    public String toString() {
        return "JdkOp[" + what + ", " + stateName() + "]";
    }
}
