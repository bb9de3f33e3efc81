package dev.ringloom.runtime.uring;

import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.sys.Errno;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;

/** Turns a failed io_uring op's result into the exception a java.nio or java.net user expects. Stateless. */
final class OpErrors {
    private OpErrors() {
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
}
