package dev.ringloom.runtime.backend;

import java.io.InterruptedIOException;

/**
 * The interrupt rules both backends share: a call interrupted before or during its IO says so, and how much of
 * it moved. Stateless.
 */
public final class IoErrors {
    private IoErrors() {
    }

    public static InterruptedIOException interrupted(String operation, int bytesTransferred) {
        InterruptedIOException e = new InterruptedIOException(operation + " interrupted");
        e.bytesTransferred = bytesTransferred;
        return e;
    }

    /**
     * The interrupt check at the start of a blocking call: the call does nothing and says so. The message, with
     * {@code target}'s {@code toString()}, is built only when thrown: this runs on every call.
     */
    public static void checkNotInterrupted(String syscall, Object target) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(syscall + "(" + target + ")", 0);
        }
    }
}
