package dev.ringloom.runtime.jdk;

import dev.ringloom.poller.spi.Uninterruptibly;
import dev.ringloom.runtime.backend.ReadWaits;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads of a byte stream (pipe, socket) on the JDK backend. A pump virtual thread, started by the first read,
 * blocks in the channel's read — so no reader's interrupt ever reaches the channel, which the JDK would close —
 * and queues what arrives; readers copy from the queue in order. A reader that is interrupted or times out gives
 * up nothing: the bytes stay queued for the next read. The pump reads ahead at most {@link #MAX_QUEUED} bytes,
 * then waits for readers, so a stream nobody reads holds a bounded amount.
 *
 * <p>Readers take turns on {@code lock}; the queue and the end state are shared with the pump under this
 * object's monitor.
 */
final class JdkStreamReads implements Closeable {
    private static final int CHUNK = 16 * 1024;
    static final int MAX_QUEUED = 64 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final JdkBackend backend;
    private final ReadableByteChannel channel;
    private final String name;

    // Pump → readers, guarded by this.
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private int queued;
    private boolean ended;                  // the channel reached end of stream
    private IOException failure;            // the pump's read failed (close, reset...)
    private boolean pumpStarted, stopped;
    private volatile Thread waiter;         // a reader parked for data
    private final java.util.concurrent.CountDownLatch pumpDone = new java.util.concurrent.CountDownLatch(1);

    JdkStreamReads(JdkBackend backend, ReadableByteChannel channel, String name) throws IOException {
        this.backend = backend;
        this.channel = channel;
        this.name = name;
        backend.track(this);
    }

    /**
     * @param timeoutNanos 0 for none
     * @return bytes read, -1 at end of stream
     * @throws InterruptedIOException if interrupted while waiting (nothing consumed; status stays set)
     * @throws SocketTimeoutException if the timeout passed first (nothing consumed)
     */
    int read(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        lock.lock();
        try {
            for (;;) {
                boolean start = false;
                synchronized (this) {
                    if (!chunks.isEmpty()) {
                        return take(dst);
                    }
                    if (failure != null) {
                        throw rethrown(failure);
                    }
                    if (ended) {
                        if (backend.isClosed()) {
                            // the runtime's close may have closed the write end first: not a real end of stream
                            throw JdkBackend.closedError("read(" + name + ")");
                        }
                        return -1;
                    }
                    if (!pumpStarted) {
                        pumpStarted = start = true;
                    }
                }
                if (start) {
                    try {
                        backend.startPump("read(" + name + ")", this::pump);
                    } catch (IOException e) {
                        pumpDone.countDown();               // no pump will run: nothing for close to wait for
                        throw e;
                    }
                }
                awaitNews(deadline);
            }
        } finally {
            lock.unlock();
        }
    }

    private void awaitNews(long deadline) throws IOException {
        waiter = Thread.currentThread();
        try {
            while (!hasNews()) {
                ReadWaits.parkOnce(this, deadline, name);
            }
        } finally {
            waiter = null;
        }
    }

    private synchronized boolean hasNews() {
        return !chunks.isEmpty() || ended || failure != null;
    }

    /** Under this monitor: copies queued bytes into {@code dst} and lets a pump waiting for room go on. */
    private int take(ByteBuffer dst) {
        int copied = 0;
        while (dst.hasRemaining() && !chunks.isEmpty()) {
            ByteBuffer c = chunks.peek();
            int n = Math.min(dst.remaining(), c.remaining());
            dst.put(dst.position(), c, c.position(), n);
            dst.position(dst.position() + n);
            c.position(c.position() + n);
            copied += n;
            if (!c.hasRemaining()) {
                chunks.poll();
            }
        }
        queued -= copied;
        notifyAll();
        return copied;
    }

    /** A fresh exception for this reader; the pump's failure is its cause. */
    private IOException rethrown(IOException f) {
        IOException e;
        if (backend.isClosed()) {
            e = JdkBackend.closedError("read(" + name + ")");
        } else if (f instanceof ClosedChannelException) {
            e = new AsynchronousCloseException();
        } else if (f instanceof SocketException) {
            e = new SocketException(f.getMessage());
        } else {
            e = new IOException(f.getMessage());
        }
        e.initCause(f);
        return e;
    }

    private void pump() {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        try {
            pumpLoop(buf);
        } finally {
            pumpDone.countDown();
        }
    }

    private void pumpLoop(ByteBuffer buf) {
        try {
            for (;;) {
                synchronized (this) {
                    while (queued >= MAX_QUEUED && !stopped) {
                        wait();
                    }
                    if (stopped) {
                        return;
                    }
                }
                int n;
                backend.inFlight.incrementAndGet();
                try {
                    n = channel.read(buf.clear());
                } finally {
                    backend.inFlight.decrementAndGet();
                }
                synchronized (this) {
                    if (n < 0) {
                        ended = true;
                    } else if (n > 0) {
                        chunks.add(ByteBuffer.allocate(n).put(buf.flip()).flip());
                        queued += n;
                    }
                }
                wakeReader();
                if (n < 0) {
                    return;
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                failure = e;
            }
            wakeReader();
        } catch (InterruptedException e) {
            synchronized (this) {
                failure = new AsynchronousCloseException();   // nobody interrupts a pump but a shutdown
            }
            wakeReader();
        }
    }

    private void wakeReader() {
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /**
     * Closes the channel (which ends a pump blocked in it), stops a pump waiting for room, wakes the reader, and
     * returns once the pump has left the channel: like a kernel op, it is over when close returns.
     */
    @Override
    public void close() throws IOException {
        boolean started;
        synchronized (this) {
            stopped = true;
            if (failure == null && !ended) {
                failure = new AsynchronousCloseException();     // a reader waiting for a pump that never ran
            }
            started = pumpStarted;
            notifyAll();
        }
        try {
            channel.close();
        } finally {
            wakeReader();
            backend.untrack(this);
            if (started) {
                Uninterruptibly.await(pumpDone);
            }
        }
    }
}
