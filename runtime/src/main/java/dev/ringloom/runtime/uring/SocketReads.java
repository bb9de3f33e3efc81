package dev.ringloom.runtime.uring;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.backend.ReadWaits;

import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.OpEncoder;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.ProvidedBuffers;
import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.uring.Cqe;
import dev.ringloom.poller.uring.IoUringConstants;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reads of one socket through a multishot recv that belongs to the socket, not to a reader: the kernel receives
 * into the poller's {@link ProvidedBuffers} as data arrives and posts a CQE per chunk; the poller queues the chunks
 * here and unparks the reader; {@link #read} copies them out in order and recycles each buffer it emptied.
 *
 * <p>Why: a reader that is interrupted or times out owns no op and no buffer the kernel could still write, so
 * nothing is cancelled and nothing can be lost; the bytes wait here for the next read. A connection waiting for
 * data holds no buffer, and no poll is armed again for every read.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>At most one receive is in flight on the socket: the multishot ({@code armed}), or a one-shot read of
 *       {@code fallback} ({@link StreamReads}) — used when the kernel ran out of provided buffers (ENOBUFS), lacks
 *       multishot recv, or the poller has no provided buffers. The multishot is armed again only when
 *       {@code fallback} holds no bytes and has no read in flight, so the two never reorder the stream.</li>
 *   <li>Chunks are queued in CQE order, which is stream order, and consumed front to back.</li>
 *   <li>Backpressure (PITFALLS 4): once {@link #MAX_QUEUED} chunks wait, the poller cancels the multishot; the
 *       socket's kernel buffer and TCP flow control hold the rest until a reader drains the queue and re-arms.</li>
 * </ul>
 * Readers take turns on {@code lock}. The queue and the end state are shared with the poller thread under this
 * object's monitor.
 */
public final class SocketReads {
    /** Chunks a socket may hold before its multishot is cancelled (at most this many buffers per connection). */
    public static final int MAX_QUEUED = 16;
    private static final int END_NONE = 1, END_REARM = 2;     // besides 0 (EOF) and negative errnos

    private final ReentrantLock lock = new ReentrantLock();
    private final OpBracket ops;
    private final Poller poller;
    private final ProvidedBuffers buffers;     // null: every read goes through fallback
    private final StreamReads fallback;
    private final String name;

    // Poller thread → reader, guarded by this.
    private long[] chunks = new long[4];       // ring of (buffer id << 32 | length), in stream order
    private int chunkHead, chunkCount;
    private int end = END_NONE;                // how the multishot ended, once its final CQE arrived
    private boolean throttled;                 // the poller cancelled the multishot because too much was queued
    private volatile Thread reader;            // the reader to unpark on a CQE, while it parks
    private volatile boolean receiving;        // a multishot is in flight: armed, its final CQE not yet seen

    // Reader-only, under lock.
    private int headOffset;                    // bytes of the front chunk already consumed
    private RecvOp armed;                      // the multishot in flight (or ended, not yet seen), or null
    private RecvOp spare;
    private boolean eof;
    private boolean everDelivered;             // a multishot CQE carried data: the kernel supports it
    private volatile long oneShotReads;        // reads that went through fallback while multishot was possible;
                                               // written under lock, read by anyone (diagnostics)

    /** The multishot recv; the poller thread calls {@link #onMultishotCqe} for each of its CQEs. */
    private final class RecvOp extends Op {
        @Override
        protected void onMultishotCqe(int res, int flags) {
            chunk(this, res, flags);
        }
    }

    SocketReads(OpBracket ops, Poller poller, NativeBufferPool pool, String name) {
        this.ops = ops;
        this.poller = poller;
        ProvidedBuffers b = poller.providedBuffers();
        this.buffers = b == null || b.multishotRecvRefused() ? null : b;
        this.fallback = new StreamReads(ops, pool, name, IoUringConstants.OP_RECV);
        this.name = name;
    }

    /** Poller thread: one CQE of the multishot. */
    private void chunk(RecvOp op, int res, int flags) {
        boolean more = (flags & Cqe.F_MORE) != 0;
        boolean cancel = false;
        synchronized (this) {
            if ((flags & Cqe.F_BUFFER) != 0) {
                int bid = flags >>> Cqe.BUFFER_SHIFT;
                buffers.take(bid);
                if (res > 0) {
                    append(bid, res);
                } else {
                    buffers.recycle(bid);
                }
            }
            if (!more) {
                receiving = false;
                end = res > 0 ? END_REARM : res;
            } else if (chunkCount >= MAX_QUEUED && !throttled) {
                throttled = cancel = true;
            }
        }
        if (cancel) {
            op.requestCancel(poller);
        }
        Thread r = reader;
        if (r != null) {
            LockSupport.unpark(r);
        }
    }

    private void append(int bid, int len) {
        if (chunkCount == chunks.length) {
            long[] bigger = new long[chunks.length * 2];
            for (int i = 0; i < chunkCount; i++) {
                bigger[i] = chunks[(chunkHead + i) & (chunks.length - 1)];
            }
            chunks = bigger;
            chunkHead = 0;
        }
        chunks[(chunkHead + chunkCount) & (chunks.length - 1)] = (long) bid << 32 | len;
        chunkCount++;
    }

    /**
     * Reads up to {@code dst.remaining()} bytes, blocking until at least one is available.
     *
     * @param timeoutNanos 0 for none
     * @return bytes read, or -1 at end of stream
     * @throws InterruptedIOException  if interrupted while waiting (nothing consumed; interrupt status stays set)
     * @throws SocketTimeoutException  if the timeout passed first (nothing consumed)
     */
    int read(ByteBuffer dst, int maxChunk, long timeoutNanos) throws IOException {
        if (buffers == null) {
            return fallback.read(dst, maxChunk, timeoutNanos);
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
        lock.lock();
        try {
            for (;;) {
                if (fallback.hasPending()) {
                    return fallback.read(dst, maxChunk, ReadWaits.remaining(deadline));
                }
                int n = takeQueued(dst);
                if (n > 0) {
                    return n;
                }
                if (eof) {
                    return -1;
                }
                int ended = takeEnd();
                if (ended != END_NONE) {
                    RecvOp done = armed;
                    armed = null;
                    spare = done.isReusable() ? done : null;
                    if (ended == 0) {
                        eof = true;
                        return -1;
                    }
                    if (ended == -Errno.ENOBUFS) {
                        // Every provided buffer is out: this one read lends its own buffer.
                        oneShotReads++;
                        return fallback.read(dst, maxChunk, ReadWaits.remaining(deadline));
                    }
                    if (ended == -Errno.EINVAL && !everDelivered) {
                        buffers.refuseMultishotRecv();  // a kernel without multishot recv (before 6.0)
                        oneShotReads++;
                        return fallback.read(dst, maxChunk, ReadWaits.remaining(deadline));
                    }
                    if (ended != END_REARM && !ops.cancelledByCaller(ended)) {
                        throw ops.failure("read(" + name + ")", ended, null);
                    }
                    continue;                           // throttled, or ended with data: arm again
                }
                if (armed == null) {
                    IoErrors.checkNotInterrupted("read", name);
                    arm();
                    continue;
                }
                awaitChunk(deadline);
            }
        } finally {
            lock.unlock();
        }
    }

    private void arm() throws IOException {
        RecvOp op = spare != null ? spare : new RecvOp();   // before the fd reference: nothing to leak if it throws
        int fd = ops.acquire();
        spare = null;
        OpEncoder.recvMultishot(op, fd, ProvidedBuffers.GROUP);
        synchronized (this) {
            end = END_NONE;
            throttled = false;
        }
        receiving = true;
        try {
            ops.submitDetached(op);                     // throws (reference given back) if closing or closed
        } catch (IOException e) {
            receiving = false;
            throw e;
        }
        armed = op;
    }

    /** Parks until the poller queued a chunk or ended the multishot; throws on interrupt or timeout. */
    private void awaitChunk(long deadline) throws IOException {
        reader = Thread.currentThread();
        long mark = poller.beforePark(name);     // refuses a wait that would park the poller's own thread
        try {
            while (!hasNews()) {
                ReadWaits.parkOnce(this, deadline, name);
                poller.afterPark(mark, name);
            }
        } finally {
            reader = null;
            poller.afterWait(mark);
        }
    }

    private synchronized boolean hasNews() {
        return chunkCount > 0 || end != END_NONE;
    }

    private synchronized int takeEnd() {
        if (chunkCount > 0) {
            return END_NONE;    // chunks before the end first
        }
        int e = end;
        end = END_NONE;
        return e;
    }

    /** Copies queued bytes into {@code dst}, front chunk first; recycles every buffer it empties. */
    private int takeQueued(ByteBuffer dst) throws IOException {
        int copied = 0;
        while (dst.hasRemaining()) {
            long c;
            synchronized (this) {
                if (chunkCount == 0) {
                    break;
                }
                c = chunks[chunkHead];
            }
            int bid = (int) (c >>> 32), len = (int) c;
            int n = Math.min(dst.remaining(), len - headOffset);
            try {
                MemorySegment.copy(buffers.segment(bid, len), headOffset, MemorySegment.ofBuffer(dst), 0, n);
            } catch (IllegalStateException freed) {
                throw ops.failure("read(" + name + ")", -Errno.ECANCELED, null);
            }
            dst.position(dst.position() + n);
            copied += n;
            everDelivered = true;
            headOffset += n;
            if (headOffset == len) {
                headOffset = 0;
                synchronized (this) {
                    chunkHead = (chunkHead + 1) & (chunks.length - 1);
                    chunkCount--;
                }
                buffers.recycle(bid);
            }
        }
        return copied;
    }

    /** Reads that lent their own buffer because the provided ones ran out (or multishot recv is missing). */
    long oneShotReads() {
        return oneShotReads;        // no lock: a diagnostic must not wait for a reader blocked in read
    }

    /** True while a multishot recv is in flight on the socket. */
    boolean receiving() {
        return receiving;
    }

    /** True if this socket receives through a multishot recv into provided buffers. */
    boolean multishot() {
        return buffers != null && !buffers.multishotRecvRefused();
    }

    /** Bytes that reads abandoned by their thread received anyway, delivered to the next reader. */
    long rescuedBytes() {
        return fallback.rescuedBytes();
    }

    /** After the fd was closed (every CQE reaped): gives back every buffer the socket still holds. */
    void dispose() {
        lock.lock();
        try {
            fallback.dispose();
            synchronized (this) {
                while (chunkCount > 0) {
                    buffers.recycle((int) (chunks[chunkHead] >>> 32));
                    chunkHead = (chunkHead + 1) & (chunks.length - 1);
                    chunkCount--;
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
