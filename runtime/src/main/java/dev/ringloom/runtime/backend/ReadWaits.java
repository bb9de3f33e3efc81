package dev.ringloom.runtime.backend;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The wait of a reader that owns no op (a poller's multishot recv delivers its data, or a JDK backend's reader waits
 * for readiness), so giving up — on interrupt or at its deadline — leaves nothing behind. Stateless.
 */
public final class ReadWaits {
    private ReadWaits() {
    }

    /** The deadline ({@link System#nanoTime()}) of a wait of {@code timeoutNanos}; 0 for none, as 0 says none. */
    public static long deadline(long timeoutNanos) {
        return timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
    }

    /**
     * Nanoseconds left until {@code deadline} ({@link System#nanoTime()}); 0 for no deadline.
     *
     * @throws SocketTimeoutException if the deadline passed
     */
    public static long remaining(long deadline) throws SocketTimeoutException {
        if (deadline == 0) {
            return 0;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("Read timed out (nothing was consumed)");
        }
        return left;
    }

    /**
     * Parks once, at most until {@code deadline} (0: none); the caller re-checks its condition and loops.
     *
     * @throws InterruptedIOException if the thread is interrupted (the status stays set; nothing consumed)
     * @throws SocketTimeoutException if the deadline passed
     */
    public static void parkOnce(Object blocker, long deadline, Object name) throws InterruptedIOException,
            SocketTimeoutException {
        if (Thread.currentThread().isInterrupted()) {
            throw IoErrors.interrupted("read(" + name + ")", 0);
        }
        if (deadline == 0) {
            LockSupport.park(blocker);
        } else {
            LockSupport.parkNanos(blocker, remaining(deadline));
        }
    }
}
