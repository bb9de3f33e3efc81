package dev.ringloom.runtime;

import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.sys.SockAddr;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import static dev.ringloom.poller.uring.IoUringConstants.OP_ACCEPT;

/**
 * A listening TCP socket whose {@link #accept()} is an io_uring op. Obtain one from {@link Ringloom#listen}.
 *
 * <h2>Threads</h2>
 * Thread-safe. Acceptors take turns; at most one accept op is in flight.
 *
 * <h2>Interrupt, timeout, close</h2>
 * An interrupted acceptor returns promptly with {@link InterruptedIOException}, interrupt status set. Its accept
 * op is cancelled; if the kernel had accepted a connection anyway, that connection is not lost: the next
 * {@code accept()} returns it. {@link #setSoTimeout} bounds each accept with a linked timeout
 * ({@link SocketTimeoutException}). {@link #close()} wakes blocked acceptors with
 * {@code SocketException("Socket closed")}, closes a connection nobody took, and closes the listening fd after
 * the last completion.
 */
public final class RingServerSocket implements AutoCloseable {
    private final Ringloom runtime;
    private final Poller poller;
    private final FdHandle handle;
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String label;
    private volatile long timeoutNanos;
    private Op carry;                       // guarded by acceptLock: an accept whose waiter left

    private RingServerSocket(Ringloom runtime, int fd) {
        this.runtime = runtime;
        this.poller = runtime.nextPoller();
        this.handle = new FdHandle(fd);
        this.label = "server socket fd=" + fd;
    }

    /**
     * Binds to {@code local} (port 0: any free port) with SO_REUSEADDR and listens.
     *
     * @param backlog pending connections the kernel queues; values below 1 mean 128
     */
    static RingServerSocket listen(Ringloom runtime, InetSocketAddress local, int backlog) throws IOException {
        if (local.isUnresolved()) {
            throw new java.net.UnknownHostException(local.getHostName());
        }
        int family = SockAddr.family(local);
        int fd = Libc.socket(family, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw SocketErrors.forErrno("socket", fd);
        }
        try (Arena arena = Arena.ofConfined()) {
            SocketOptions.set(fd, StandardSocketOptions.SO_REUSEADDR, true);
            MemorySegment sa = arena.allocate(SockAddr.MAX_SIZE, 8);
            int len = SockAddr.write(local, family, sa);
            int r = Libc.bind(fd, sa, len);
            if (r < 0) {
                throw SocketErrors.forErrno("bind(" + local + ")", r);
            }
            r = Libc.listen(fd, backlog < 1 ? 128 : backlog);
            if (r < 0) {
                throw SocketErrors.forErrno("listen(" + local + ")", r);
            }
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return new RingServerSocket(runtime, fd);
    }

    /** Parks until a connection arrives and returns it. */
    public RingSocket accept() throws IOException {
        if (closed.get()) {
            throw new SocketException("Socket closed");
        }
        acceptLock.lock();
        try {
            for (;;) {
                Op op;
                boolean reclaimed = carry != null;
                if (reclaimed) {
                    op = carry;
                    carry = null;
                    op.reclaim();
                } else {
                    IoErrors.checkNotInterrupted("accept", label);
                    int fd = acquire();
                    op = new Op().prepare(OP_ACCEPT, fd, 0, 0, 0, Libc.SOCK_CLOEXEC)
                            .fdHandle(handle).retainOnAbandon().linkTimeout(timeoutNanos);
                    try {
                        poller.submit(op);
                    } catch (IOException e) {
                        handle.release();
                        throw e;
                    }
                    if (handle.isClosing()) {
                        op.requestCancel(poller);
                    }
                }
                int res;
                try {
                    res = op.await(poller);
                } catch (InterruptedIOException e) {
                    carry = op;             // a connection it accepts anyway goes to the next acceptor
                    throw e;
                }
                if (res >= 0) {
                    return new RingSocket(runtime, res, null);
                }
                if (res == -Errno.ECANCELED && !handle.isClosing() && poller.isOpen()) {
                    if (reclaimed) {
                        continue;
                    }
                    if (op.hasLinkTimeout()) {
                        throw new SocketTimeoutException("Accept timed out");
                    }
                }
                IOException e = IoErrors.forResult("accept(" + label + ")", res, handle, poller, true);
                throw e instanceof ClosedChannelException c ? SocketErrors.closed(c) : e;
            }
        } finally {
            acceptLock.unlock();
        }
    }

    private int acquire() throws SocketException {
        try {
            return handle.acquire();
        } catch (ClosedChannelException e) {
            throw SocketErrors.closed(e);
        }
    }

    /** Bounds every later accept: 0 (the default) waits forever. */
    public void setSoTimeout(int millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        timeoutNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        int fd = acquire();
        try {
            return SocketOptions.get(fd, option);
        } finally {
            handle.release();
        }
    }

    /** The bound address (with the port the kernel chose for port 0). */
    public InetSocketAddress localAddress() throws IOException {
        return SocketAddresses.local(this::acquire, handle);
    }

    public boolean isOpen() {
        return !closed.get();
    }

    /** Wakes blocked acceptors, closes an accepted connection nobody took, then the listening fd. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        DrainingClose.close(handle, poller);
        acceptLock.lock();
        try {
            // Every op on the fd completed before it closed, so a carried accept has its result.
            if (carry != null && carry.isDone() && carry.result() >= 0) {
                Libc.close(carry.result());
            }
            carry = null;
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "RingServerSocket[" + label + (closed.get() ? ", closed" : "") + "]";
    }
}
