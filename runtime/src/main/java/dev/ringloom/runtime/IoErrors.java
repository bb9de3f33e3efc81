package dev.ringloom.runtime;

import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.sys.Errno;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.AsynchronousCloseException;

/** Turns a failed op's result into the exception a java.nio user expects. Stateless. */
final class IoErrors {
    private IoErrors() {
    }

    static IOException forResult(String operation, int res, FdHandle handle, Poller poller) {
        return forResult(operation, res, handle, poller, false);
    }

    /** As above; {@code socket} picks the java.net exception types for the errno. */
    static IOException forResult(String operation, int res, FdHandle handle, Poller poller, boolean socket) {
        Throwable broken = poller.failure();
        if (broken != null) {
            return new IOException(operation + ": its ringloom poller failed", broken);
        }
        if (res == -Errno.ECANCELED) {
            if (handle.isClosing()) {
                return new AsynchronousCloseException();
            }
            if (!poller.isOpen()) {
                return new IOException(operation + ": the ringloom runtime was closed");
            }
        }
        return socket ? SocketErrors.forErrno(operation, res) : Errno.exception(operation, res);
    }

    static InterruptedIOException interrupted(String operation, int bytesTransferred) {
        InterruptedIOException e = new InterruptedIOException(operation + " interrupted");
        e.bytesTransferred = bytesTransferred;
        return e;
    }

    /**
     * The interrupt check at the start of a blocking call: the call does nothing and says so. The message
     * is built only when thrown: this runs on every call.
     */
    static void checkNotInterrupted(String syscall, String target) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(syscall + "(" + target + ")", 0);
        }
    }
}
