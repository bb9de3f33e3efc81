package dev.ringloom.runtime.uring;

import dev.ringloom.poller.sys.Errno;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;

/**
 * The java.net exceptions users of {@code java.net.Socket} expect, with the failed call and the errno in the
 * message, e.g. {@code "connect(127.0.0.1:9): ECONNREFUSED (Connection refused)"}. Stateless.
 */
final class SocketErrors {
    private SocketErrors() {
    }

    static IOException forErrno(String operation, int errno) {
        errno = Math.abs(errno);
        String msg = operation + ": " + Errno.describe(errno);
        return switch (errno) {
            case Errno.ECONNREFUSED -> new ConnectException(msg);
            case Errno.ETIMEDOUT -> operation.startsWith("connect") ? new ConnectException(msg) : new SocketTimeoutException(msg);
            case Errno.EHOSTUNREACH, Errno.ENETUNREACH -> new NoRouteToHostException(msg);
            case Errno.EADDRINUSE, Errno.EADDRNOTAVAIL -> new BindException(msg);
            default -> new SocketException(msg);
        };
    }

    /** What a socket call says when the socket was closed before or during it. */
    static SocketException closed(ClosedChannelException cause) {
        SocketException e = new SocketException("Socket closed");
        e.initCause(cause);
        return e;
    }
}
