package dev.ringloom.runtime.jdk;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.backend.ReadWaits;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A channel of the JDK backend's (socket, pipe end, listener) in non-blocking mode: its readers, writers,
 * acceptors and connector call it on their own threads and park on the backend's {@link Readiness} when it is not
 * ready.
 *
 * <p>Why non-blocking: a JDK channel closes itself when a thread blocked in it is interrupted, and ringloom's rule
 * is that an interrupt ends a wait and loses nothing. A non-blocking call installs no interrupt hook (the JDK's
 * {@code beginRead} does so for blocking calls only), so an interrupted caller just stops waiting: it owned no op,
 * and the bytes it did not take stay in the kernel for the next call.
 *
 * <p>Readers (and acceptors, and a connect) take turns on {@link #readTurns}, writers on {@link #writeTurns}; at
 * most one thread of each waits at a time. {@link #close} wakes both and takes both turns before it closes the
 * channel, so no call is inside it then.
 * Thread-safe.
 */
final class NonBlockingChannel implements Closeable {
    /**
     * How many times a virtual thread that finds the channel not ready yields its carrier and tries again before it
     * parks on the selector ({@code ringloom.jdkYields}): a request/response peer's next message has often arrived
     * once the carrier's other threads ran, and a yield is far cheaper than the selector's round trip (echo at 64
     * connections × 64 B: 0.80× the JDK without, 0.90–0.95× with one; BENCHMARKS.md).
     */
    private static final int YIELDS = Integer.getInteger("ringloom.jdkYields", 1);
    final ReentrantLock readTurns = new ReentrantLock();
    final ReentrantLock writeTurns = new ReentrantLock();
    private final JdkBackend backend;
    private final SelectableChannel channel;
    private final Object name;
    private SelectionKey key;                   // registered by the first wait; guarded by keyLock
    private final Object keyLock = new Object();
    private volatile Thread reader, writer;     // the thread waiting for each op, if any
    private volatile boolean closing;

    NonBlockingChannel(JdkBackend backend, SelectableChannel channel, Object name) throws IOException {
        this.backend = backend;
        this.channel = channel;
        this.name = name;
        channel.configureBlocking(false);
    }

    /**
     * Throws if a close began: a call must not enter the channel once its close waits for the turns. The runtime's
     * close says so by name ({@link JdkBackend#closedError}); the stream's own close is an asynchronous close.
     */
    void checkOpen(String what) throws IOException {
        if (closing) {
            throw backend.isClosed() ? JdkBackend.closedError(what) : new AsynchronousCloseException();
        }
    }

    /**
     * Parks until the channel may be ready for {@code op} ({@link SelectionKey#OP_READ}, {@code OP_ACCEPT},
     * {@code OP_CONNECT} or {@code OP_WRITE}), the deadline (0: none) passes, or an interrupt; the caller then tries
     * again and may find it not ready yet. The caller holds the op's turns ({@link #writeTurns} for writes, else
     * {@link #readTurns}).
     *
     * @param what    the call, for the exceptions' messages
     * @param attempt how many times this call waited already: the first {@link #YIELDS} waits of a virtual thread
     *                only yield its carrier
     * @throws java.io.InterruptedIOException if interrupted (the status stays set; nothing was taken)
     * @throws SocketTimeoutException         if the deadline passed
     * @throws AsynchronousCloseException     if the channel was closed
     */
    void await(int op, long deadline, String what, int attempt) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            throw IoErrors.interrupted(what, 0);
        }
        long nanos = ReadWaits.remaining(deadline);
        Thread me = Thread.currentThread();
        if (attempt < YIELDS && me.isVirtual()) {
            Thread.yield();
            return;
        }
        if (op == SelectionKey.OP_WRITE) {
            writer = me;
        } else {
            reader = me;
        }
        try {
            checkOpen(what);                    // after publishing the waiter: a close sees it or this sees the close
            SelectionKey k = key();
            int before;
            try {
                before = k.interestOpsOr(op);
            } catch (CancelledKeyException closed) {
                throw closedError(closed);
            }
            if ((before & op) == 0) {
                backend.readiness.wakeup();     // the selector applies interest only at its next select
            }
            backend.inFlight.incrementAndGet(); // a parked caller is this backend's op in flight
            try {
                if (nanos == 0) {
                    LockSupport.park(this);
                } else {
                    LockSupport.parkNanos(this, nanos);
                }
            } finally {
                backend.inFlight.decrementAndGet();
            }
            checkOpen(what);
        } finally {
            if (op == SelectionKey.OP_WRITE) {
                writer = null;
            } else {
                reader = null;
            }
        }
    }

    private SelectionKey key() throws IOException {
        synchronized (keyLock) {
            if (key == null) {
                try {
                    key = channel.register(backend.readiness.selector(), 0, this);
                } catch (ClosedChannelException e) {
                    throw closedError(e);
                }
            }
            return key;
        }
    }

    private static AsynchronousCloseException closedError(Exception cause) {
        AsynchronousCloseException e = new AsynchronousCloseException();
        e.initCause(cause);
        return e;
    }

    /** On the readiness thread: wakes the waiters of the ops that fired; returns the ops it found a waiter for. */
    int wake(int readyOps) {
        int woken = 0;
        int readSide = readyOps & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT | SelectionKey.OP_CONNECT);
        Thread r = reader, w = writer;      // read after the fired ops left the interest (Readiness.fire)
        if (readSide != 0 && r != null) {
            LockSupport.unpark(r);
            woken |= readSide;
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && w != null) {
            LockSupport.unpark(w);
            woken |= SelectionKey.OP_WRITE;
        }
        return woken;
    }

    private static void unpark(Thread t) {
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    boolean isClosing() {
        return closing;
    }

    /**
     * Wakes the waiting reader and writer (they fail as closed), waits until no call is inside the channel, and
     * closes it; returns once its fd is closed. A socket with {@code SO_LINGER} above 0 is closed in blocking mode, so
     * that this call waits for its unsent bytes as {@code java.net}'s close does (the JDK skips the linger of a
     * channel registered with a selector). Idempotent.
     */
    @Override
    public void close() throws IOException {
        closing = true;
        unpark(reader);
        unpark(writer);
        readTurns.lock();               // a woken waiter leaves at once; other calls never block inside
        writeTurns.lock();
        try {
            if (!channel.isOpen()) {
                return;
            }
            boolean linger = lingers();
            SelectionKey k;
            synchronized (keyLock) {
                k = key;
            }
            if (k != null) {
                k.cancel();
                backend.readiness.awaitDeregistered();  // else the JDK defers the fd's close to the selector
            }
            if (linger) {
                channel.configureBlocking(true);
            }
            channel.close();
        } finally {
            writeTurns.unlock();
            readTurns.unlock();
        }
    }

    private boolean lingers() {
        if (!(channel instanceof SocketChannel s)) {
            return false;
        }
        try {
            return s.getOption(StandardSocketOptions.SO_LINGER) > 0;
        } catch (IOException closedOrUnsupported) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "NonBlockingChannel[" + name + "]";
    }
}
