package dev.ringloom.runtime.jdk;

import dev.ringloom.poller.spi.Completer;
import dev.ringloom.poller.spi.Uninterruptibly;
import dev.ringloom.runtime.backend.ReceiveQueue;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads of a byte stream (pipe, socket) on the JDK backend. A pump virtual thread, started by the first read,
 * blocks in the channel's read — so no reader's interrupt ever reaches the channel, which the JDK would close —
 * into one of the stream's few buffers and posts it to the stream's {@link ReceiveQueue}, the queue io_uring's
 * multishot recv feeds too; readers copy from the queue in order. A reader that is interrupted or times out gives
 * up nothing: the bytes stay queued for the next read. The pump reads ahead at most {@link #MAX_QUEUED} bytes (every
 * buffer full and unread), then waits for a reader to empty one, so a stream nobody reads holds a bounded amount.
 *
 * <p>Readers take turns on {@code lock}. The buffers' free set and the pump's stop flag are guarded by
 * {@code buffers}' monitor.
 */
final class JdkStreamReads implements Closeable {
    private static final int CHUNK = 16 * 1024;
    static final int MAX_QUEUED = 64 * 1024;
    private static final int EOF = 0, FAILED = -1, CLOSED = -2;     // the queue's end codes

    private final ReentrantLock lock = new ReentrantLock();
    private final JdkBackend backend;
    private final ReadableByteChannel channel;
    private final String name;
    private final HeapChunks buffers = new HeapChunks();
    private final ReceiveQueue queue;

    private final CountDownLatch pumpDone = new CountDownLatch(1);
    private volatile IOException failure;   // the pump's read failed (reset...): written before the end is posted
    private int ended = ReceiveQueue.NO_END;  // readers only, under lock: the end once taken, for every later read

    JdkStreamReads(JdkBackend backend, ReadableByteChannel channel, String name) throws IOException {
        this.backend = backend;
        this.channel = channel;
        this.name = name;
        this.queue = new ReceiveQueue(buffers, name);
        backend.track(this);
    }

    /** Bytes the pump received and no read took yet. */
    long queuedBytes() {
        return queue.queuedBytes();
    }

    /** The stream's read-ahead buffers: allocated on first use, each either the pump's, queued, or free. */
    private static final class HeapChunks implements ReceiveQueue.Chunks {
        private static final int COUNT = MAX_QUEUED / CHUNK;
        private final ByteBuffer[] views = new ByteBuffer[COUNT];
        private final MemorySegment[] segments = new MemorySegment[COUNT];
        private int free = (1 << COUNT) - 1;    // guarded by this, as are stopped and pumpStarted
        private boolean stopped, pumpStarted;

        /** The pump's side: a free buffer's id, waiting while every one is queued; -1 once stopped. */
        synchronized int acquire() throws InterruptedException {
            while (free == 0 && !stopped) {
                wait();
            }
            if (stopped) {
                return -1;
            }
            int id = Integer.numberOfTrailingZeros(free);
            free &= ~(1 << id);
            if (views[id] == null) {
                byte[] b = new byte[CHUNK];
                views[id] = ByteBuffer.wrap(b);
                segments[id] = MemorySegment.ofArray(b);
            }
            return id;
        }

        ByteBuffer view(int id) {
            return views[id];
        }

        @Override
        public MemorySegment bytes(int id, int offset, int length) {
            // segments[id] was written before the post that named it: the queue's monitor publishes it
            return segments[id].asSlice(offset, length);
        }

        @Override
        public synchronized void recycle(int id) {
            free |= 1 << id;
            notifyAll();
        }

        @Override
        public IOException freed(IllegalStateException e) {
            return new IOException(e);      // heap memory is never freed under a reader
        }

        /** True for the one caller that starts the pump. */
        synchronized boolean startPump() {
            if (pumpStarted || stopped) {
                return false;
            }
            pumpStarted = true;
            return true;
        }

        /** Stops the pump at its next buffer; true if it ever started. */
        synchronized boolean stop() {
            stopped = true;
            notifyAll();
            return pumpStarted;
        }
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
        lock.lock();
        try {
            return awaitBytes(timeoutNanos) ? queue.take(dst) : -1;
        } finally {
            lock.unlock();
        }
    }

    /** The next queued bytes in the stream's buffer (no copy), waiting like {@link #read}; null at end of stream. */
    MemorySegment fill(long timeoutNanos) throws IOException {
        lock.lock();
        try {
            return awaitBytes(timeoutNanos) ? queue.front() : null;
        } finally {
            lock.unlock();
        }
    }

    /** Marks {@code n} of the bytes {@link #fill} returned consumed. */
    void consume(int n) {
        lock.lock();
        try {
            queue.consume(n);
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: waits until bytes are queued (true) or the stream ended (false), starting the pump if needed. */
    private boolean awaitBytes(long timeoutNanos) throws IOException {
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        for (;;) {
            if (queue.hasChunks()) {
                return true;
            }
            if (ended == ReceiveQueue.NO_END) {
                ended = queue.takeEnd();
            }
            switch (ended) {
                case ReceiveQueue.NO_END -> {
                }
                case EOF -> {
                    if (backend.isClosed()) {
                        // the runtime's close may have closed the write end first: not a real end of stream
                        throw JdkBackend.closedError("read(" + name + ")");
                    }
                    return false;
                }
                case FAILED -> throw rethrown(failure);
                default -> throw rethrown(new AsynchronousCloseException());
            }
            if (buffers.startPump()) {
                try {
                    backend.startPump("read(" + name + ")", this::pump);
                } catch (IOException e) {
                    pumpDone.countDown();               // no pump will run: nothing for close to wait for
                    throw e;
                }
            }
            queue.await(deadline, Completer.UNGUARDED);
        }
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
        try {
            for (;;) {
                int id = buffers.acquire();
                if (id < 0) {
                    return;                                     // stopped by close
                }
                int n;
                backend.inFlight.incrementAndGet();
                try {
                    n = channel.read(buffers.view(id).clear());
                } finally {
                    backend.inFlight.decrementAndGet();
                }
                if (n <= 0) {
                    buffers.recycle(id);
                    if (n < 0) {
                        queue.end(EOF);
                        return;
                    }
                    continue;
                }
                queue.post(id, n);
            }
        } catch (IOException e) {
            failure = e;
            queue.end(FAILED);
        } catch (InterruptedException e) {
            queue.end(CLOSED);                                  // nobody interrupts a pump but a shutdown
        } finally {
            pumpDone.countDown();
        }
    }

    /**
     * Closes the channel (which ends a pump blocked in it), stops a pump waiting for a buffer, wakes the reader,
     * and returns once the pump has left the channel: like a kernel op, it is over when close returns.
     */
    @Override
    public void close() throws IOException {
        boolean started = buffers.stop();
        queue.end(CLOSED);                  // for a reader waiting on a pump that never ran or is stopping
        try {
            channel.close();
        } finally {
            backend.untrack(this);
            if (started) {
                Uninterruptibly.await(pumpDone);
            }
        }
    }
}
