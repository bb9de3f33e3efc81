package dev.ringloom.runtime.jdk;

import dev.ringloom.poller.spi.Uninterruptibly;
import dev.ringloom.runtime.backend.IoErrors;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes of a byte stream (socket, pipe) on the JDK backend. A pump virtual thread, started by the first write,
 * blocks in the channel's write — so no writer's interrupt ever reaches the channel, which the JDK would close —
 * and writers hand it pieces of at most {@link #PIECE} bytes, one at a time, through volatiles and park/unpark.
 *
 * <p>Where it differs from io_uring, which can cancel: an interrupted writer returns at once, and the piece it
 * handed to the pump is written in full all the same — the pump owns it, and the next write waits for it first,
 * so writes never overtake or interleave. That piece therefore counts as written: {@code bytesTransferred} (and
 * {@code src}'s position) include it, exactly, so a caller that writes the rest of {@code src} never sends a byte
 * twice (PITFALLS 10). If the channel then fails, the next write reports it, as a socket reports a connection reset
 * after a write returned. Writers take turns on {@code lock}.
 */
final class JdkStreamWrites implements Closeable {
    static final int PIECE = 64 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final JdkBackend backend;
    private final WritableByteChannel channel;
    private final String name;
    private final CountDownLatch pumpDone = new CountDownLatch(1);

    // Writer ↔ pump: a one-piece hand-off.
    private volatile ByteBuffer piece;          // the piece the pump writes, null when it is idle
    private volatile IOException failure;
    private volatile boolean stopped;
    private volatile Thread pumpThread;         // set by the pump itself before it first waits
    private volatile Thread waiter;
    private volatile boolean pumpStarted;

    JdkStreamWrites(JdkBackend backend, WritableByteChannel channel, String name) throws IOException {
        this.backend = backend;
        this.channel = channel;
        this.name = name;
        backend.track(this);        // a runtime close stops an idle pump too
    }

    /**
     * Writes all of {@code src}, piece by piece.
     *
     * @throws InterruptedIOException if interrupted; {@code bytesTransferred} counts the pieces handed to the
     *                                pump, the one still in flight included, and {@code src} moved past them
     */
    int write(ByteBuffer src) throws IOException {
        lock.lock();
        try {
            awaitPieceWritten(false);               // a piece a writer left behind goes out first
            int total = 0;
            while (src.hasRemaining()) {
                if (Thread.currentThread().isInterrupted()) {
                    throw IoErrors.interrupted("write(" + name + ")", total);
                }
                int len = Math.min(src.remaining(), PIECE);
                piece = ByteBuffer.allocate(len).put(0, src, src.position(), len);
                if (!pumpStarted) {
                    pumpStarted = true;
                    try {
                        backend.startPump("write(" + name + ")", this::pump);
                    } catch (IOException e) {
                        pumpDone.countDown();       // no pump will run: nothing for close to wait for
                        throw e;
                    }
                } else {
                    LockSupport.unpark(pumpThread);
                }
                // From here the piece is the pump's: it goes out whatever this writer does next.
                src.position(src.position() + len);
                total += len;
                try {
                    awaitPieceWritten(true);
                } catch (InterruptedIOException e) {
                    e.bytesTransferred = total;     // exact: the piece in flight is written before any later one
                    throw e;
                }
            }
            return total;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Parks, across interrupts, until the piece an interrupted writer left with the pump went out: a shutdown of the
     * output must follow every byte a write reported written. Throws the pump's failure, if it had one.
     */
    void drain() throws IOException {
        lock.lock();
        try {
            awaitPieceWritten(false);
        } finally {
            lock.unlock();
        }
    }

    /** Parks until the pump holds no piece; {@code interruptible}: an interrupt ends the wait with IIOE. */
    private void awaitPieceWritten(boolean interruptible) throws IOException {
        boolean interrupted = false;
        waiter = Thread.currentThread();
        try {
            for (;;) {
                IOException failed = failure;
                if (failed == null && stopped) {
                    failed = new AsynchronousCloseException();   // closed under this writer
                }
                if (failed != null) {
                    throw rethrown(failed);
                }
                if (piece == null) {
                    return;
                }
                if (Thread.currentThread().isInterrupted()) {
                    if (interruptible) {
                        throw IoErrors.interrupted("write(" + name + ")", 0);
                    }
                    interrupted = true;
                    Thread.interrupted();           // park would return at once; restored below
                }
                LockSupport.park(this);
            }
        } finally {
            waiter = null;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A fresh exception for this writer; the pump's failure is its cause. */
    private IOException rethrown(IOException f) {
        IOException e = backend.isClosed() ? JdkBackend.closedError("write(" + name + ")")
                : f instanceof ClosedChannelException ? new AsynchronousCloseException()
                : new IOException(f.getMessage());
        e.initCause(f);
        return e;
    }

    private void pump() {
        pumpThread = Thread.currentThread();
        try {
            for (;;) {
                ByteBuffer b;
                while ((b = piece) == null && !stopped) {
                    LockSupport.park(this);
                }
                if (stopped) {
                    return;
                }
                backend.inFlight.incrementAndGet();
                try {
                    while (b.hasRemaining()) {
                        channel.write(b);
                    }
                } finally {
                    backend.inFlight.decrementAndGet();
                }
                piece = null;
                wakeWriter();
            }
        } catch (IOException e) {
            failure = e;
            wakeWriter();
        } finally {
            pumpDone.countDown();
        }
    }

    private void wakeWriter() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Closes the channel (which ends a pump blocked in it), wakes the pump and the writer, and returns once the
     * pump has left the channel.
     */
    @Override
    public void close() throws IOException {
        stopped = true;
        try {
            channel.close();
        } finally {
            Thread pump = pumpThread;
            if (pump != null) {
                LockSupport.unpark(pump);
            }
            wakeWriter();
            backend.untrack(this);
            if (pumpStarted) {
                Uninterruptibly.await(pumpDone);
            }
        }
    }
}
