package dev.ringloom.runtime.uring;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.backend.ReadWaits;

import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.OpEncoder;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.ProvidedBuffers;
import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.uring.Cqe;
import dev.ringloom.poller.uring.IoUringConstants;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
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
 *       multishot recv, or the poller has no provided buffers —, or a reader's direct {@code recv(MSG_DONTWAIT)}
 *       ({@link DirectPath}), made only while neither of the others is in flight and nothing is queued. The
 *       multishot is armed again only when {@code fallback} holds no bytes and has no read in flight, so none of
 *       them reorders the stream.</li>
 *   <li>Chunks are queued in CQE order, which is stream order, and consumed front to back.</li>
 *   <li>Backpressure (PITFALLS 4): once {@link #MAX_QUEUED} chunks wait, the poller cancels the multishot; the
 *       socket's kernel buffer and TCP flow control hold the rest until a reader drains the queue and re-arms.</li>
 * </ul>
 * Readers take turns on {@code lock}; the chunks and the end pass from the poller thread to them through one
 * {@link ReceiveQueue}.
 */
public final class SocketReads implements ReceiveQueue.Chunks {
    /** Chunks a socket may hold before its multishot is cancelled (at most this many buffers per connection). */
    public static final int MAX_QUEUED = 16;
    private static final int END_REARM = 1;     // the multishot ended after data: arm again; else 0 (EOF) or -errno

    private final ReentrantLock lock = new ReentrantLock();
    private final OpBracket ops;
    private final Poller poller;
    private final ProvidedBuffers buffers;     // null: every read goes through fallback
    private final NativeBufferPool pool;
    private final DirectPath readPath;
    // The one-shot reads, created when first needed: most sockets never need them, and an idle connection's cost is
    // counted in bytes. Written under lock (or in the constructor when there are no provided buffers).
    private volatile StreamReads fallback;

    private final ReceiveQueue queue;          // poller thread → readers: the chunks, in stream order, and the end
    private boolean throttled;                 // poller thread, while a multishot is in flight: it was cancelled
                                               // because too much was queued; reset by arm before the submit
    private volatile boolean receiving;        // a multishot is in flight: armed, its final CQE not yet seen

    // Reader-only, under lock.
    private boolean disposed;                  // the socket closed: a late consume has nothing to give back
    private RecvOp armed;                      // the multishot in flight (or ended, not yet seen), or null
    private final SpareOp<RecvOp> spare = new SpareOp<>(RecvOp::new);
    private boolean eof;
    private boolean everDelivered;             // a multishot CQE carried data: the kernel supports it
    private volatile long oneShotReads;        // reads that went through fallback while multishot was possible;
                                               // written under lock, read by anyone (diagnostics)
    private volatile long directReads;         // reads that took waiting bytes with a direct recv; written under
                                               // lock, read by anyone (diagnostics)

    /** The multishot recv; the poller thread calls {@link #onMultishotCqe} for each of its CQEs. */
    private final class RecvOp extends Op {
        @Override
        protected void onMultishotCqe(int res, int flags) {
            chunk(this, res, flags);
        }
    }

    /** Bytes received (by the multishot, or by a one-shot or direct recv) and no read took yet. */
    long queuedBytes() {
        StreamReads f = fallback;
        return queue.queuedBytes() + (f == null ? 0 : f.bufferedBytes());
    }

    SocketReads(OpBracket ops, Poller poller, NativeBufferPool pool, DirectPath readPath) {
        this.ops = ops;
        this.poller = poller;
        this.readPath = readPath;
        ProvidedBuffers b = poller.providedBuffers();
        this.buffers = b == null || b.multishotRecvRefused() ? null : b;
        this.pool = pool;
        this.fallback = buffers == null ? new StreamReads(ops, pool, IoUringConstants.OP_RECV) : null;
        this.queue = new ReceiveQueue(this, ops);
    }

    // The queue's bytes are the poller's provided buffers (ReceiveQueue.Chunks; no object of its own per socket).

    @Override
    public MemorySegment bytes(int id, int offset, int length) {
        return buffers.bytes(id, offset, length);
    }

    @Override
    public void recycle(int id) {
        buffers.recycle(id);
    }

    @Override
    public IOException freed(IllegalStateException e) {
        return ops.failure("read", -Errno.ECANCELED, null);   // the poller closed under it
    }

    /** Poller thread: one CQE of the multishot. */
    private void chunk(RecvOp op, int res, int flags) {
        boolean more = (flags & Cqe.F_MORE) != 0;
        int queued = 0;
        if ((flags & Cqe.F_BUFFER) != 0) {
            int bid = flags >>> Cqe.BUFFER_SHIFT;
            buffers.take(bid);
            if (res > 0) {
                queued = queue.post(bid, res);
            } else {
                buffers.recycle(bid);
            }
        }
        if (!more) {
            receiving = false;
            queue.end(res > 0 ? END_REARM : res);
        } else if (queued >= MAX_QUEUED && !throttled) {
            throttled = true;
            op.requestCancel(poller);
        }
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
        if (!dst.hasRemaining()) {
            return 0;
        }
        long deadline = ReadWaits.deadline(timeoutNanos);
        boolean socketMayHoldBytes = true;     // until a direct recv found it empty
        lock.lock();
        try {
            for (;;) {
                switch (next(deadline, socketMayHoldBytes)) {
                    case FROM_QUEUE:
                        return queue.take(dst);
                    case FROM_FALLBACK:
                        return fallback.read(dst, maxChunk, ReadWaits.remaining(deadline));
                    case FROM_SOCKET:
                        int n = receiveNow(dst, maxChunk);
                        if (n != NOTHING_NOW) {
                            return n;
                        }
                        socketMayHoldBytes = false;     // nothing waits in the kernel either: wait through the ring
                        break;
                    default:
                        return -1;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The socket's next received bytes where the kernel wrote them — a provided buffer, or the one-shot fallback's
     * buffer — without a copy, blocking like {@link #read}; null at end of stream. They stay valid until
     * {@link #consume} empties them; the buffer then goes back to the kernel.
     *
     * @param want the fallback's read size, should the bytes have to come through it
     */
    MemorySegment fill(int want, long timeoutNanos) throws IOException {
        long deadline = ReadWaits.deadline(timeoutNanos);
        boolean socketMayHoldBytes = true;     // until a direct recv found it empty
        lock.lock();
        try {
            for (;;) {
                switch (next(deadline, socketMayHoldBytes)) {
                    case FROM_QUEUE:
                        return queue.front();
                    case FROM_FALLBACK:
                        return fallback.fill(want, ReadWaits.remaining(deadline));
                    case FROM_SOCKET:
                        int n = settle(fallbackReads().receiveNow(want));
                        if (n > 0) {
                            return fallback.fill(want, 0);      // the bytes just received: no wait
                        }
                        if (n < 0) {
                            return null;
                        }
                        socketMayHoldBytes = false;
                        break;
                    default:
                        return null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** No bytes now (EAGAIN): the reader waits through the ring. */
    private static final int NOTHING_NOW = 0;

    /**
     * Under lock, from {@code next}'s {@code FROM_SOCKET}: one direct {@code recv(MSG_DONTWAIT)} into {@code dst}
     * (through the fallback's buffer when {@code dst} is on the heap).
     *
     * @return bytes read, -1 at end of stream, or {@link #NOTHING_NOW}
     */
    private int receiveNow(ByteBuffer dst, int maxChunk) throws IOException {
        int len = Math.min(dst.remaining(), maxChunk);
        if (!dst.isDirect()) {
            int n = settle(fallbackReads().receiveNow(len));
            return n > 0 ? fallback.read(dst, maxChunk, 0) : n;
        }
        int fd = ops.acquire();
        long r;
        try {
            r = Libc.recvNoWait(fd, MemorySegment.ofBuffer(dst).address(), len);
        } finally {
            ops.giveBack();
        }
        int n = settle(r);
        if (n > 0) {
            dst.position(dst.position() + n);
        }
        return n;
    }

    /** A direct recv's result as {@link #receiveNow} returns it; a socket error becomes its exception. */
    private int settle(long r) throws IOException {
        if (r > 0) {
            directReads++;
            return (int) r;
        }
        if (r == 0) {
            eof = true;
            return -1;
        }
        if (r == -Errno.EAGAIN || r == -Errno.EINTR) {
            return NOTHING_NOW;
        }
        throw ops.failure("read", (int) r, null);
    }

    /** Marks {@code n} of the bytes the last {@link #fill} returned consumed. */
    void consume(int n) {
        if (buffers == null) {
            fallback.consume(n);
            return;
        }
        lock.lock();
        try {
            if (disposed) {
                return;                     // closed meanwhile: every buffer went back already
            }
            // Bytes wait in the fallback only when the last fill came from it: next() takes those first.
            StreamReads f = fallback;
            if (f != null && f.hasBufferedBytes()) {
                f.consume(n);
            } else {
                queue.consume(n);
            }
        } finally {
            lock.unlock();
        }
    }

    private static final int FROM_QUEUE = 1, FROM_FALLBACK = 2, FROM_SOCKET = 3, AT_EOF = -1;

    /**
     * Under lock: waits until the next bytes are queued ({@code FROM_QUEUE}), must come through the one-shot
     * fallback ({@code FROM_FALLBACK}: it holds bytes or a read in flight, or the multishot cannot run), or the
     * stream ended ({@code AT_EOF}). When no receive is in flight it returns {@code FROM_SOCKET} if the socket may
     * hold bytes and the {@link DirectPath} lets this thread read it directly (the caller then does), else arms the
     * multishot. The policy is asked only there: a read served from the queue, the hot path, never asks it.
     */
    private int next(long deadline, boolean socketMayHoldBytes) throws IOException {
        for (;;) {
            if (fallback != null && fallback.hasPending()) {
                return FROM_FALLBACK;
            }
            if (queue.hasChunks()) {
                everDelivered = true;
                return FROM_QUEUE;
            }
            if (eof) {
                return AT_EOF;
            }
            int ended = queue.takeEnd();
            if (ended != ReceiveQueue.NO_END) {
                RecvOp done = armed;
                armed = null;
                spare.giveBack(done);
                if (ended == 0) {
                    eof = true;
                    return AT_EOF;
                }
                if (ended == -Errno.ENOBUFS) {
                    // Every provided buffer is out: this one read lends its own buffer.
                    oneShotReads++;
                    return viaFallback();
                }
                if (ended == -Errno.EINVAL && !everDelivered) {
                    buffers.refuseMultishotRecv();  // a kernel without multishot recv (before 6.0)
                    oneShotReads++;
                    return viaFallback();
                }
                if (ended != END_REARM && !ops.cancelledByCaller(ended)) {
                    throw ops.failure("read", ended, null);
                }
                continue;                           // throttled, or ended with data: arm again
            }
            if (armed == null) {
                if (socketMayHoldBytes && readPath.direct(poller)) {
                    return FROM_SOCKET;
                }
                if (buffers == null) {
                    return FROM_FALLBACK;           // no multishot here: a one-shot recv
                }
                IoErrors.checkNotInterrupted("read", ops);
                arm();
                continue;
            }
            queue.await(deadline, poller);          // the poller refuses a park on its own thread
        }
    }

    /** Under lock: the one-shot reads, created on first use. */
    private int viaFallback() {
        fallbackReads();
        return FROM_FALLBACK;
    }

    private StreamReads fallbackReads() {
        StreamReads f = fallback;
        if (f == null) {
            fallback = f = new StreamReads(ops, pool, IoUringConstants.OP_RECV);
        }
        return f;
    }

    private void arm() throws IOException {
        RecvOp op = spare.take();                           // before the fd reference: nothing to leak if it throws
        int fd = ops.acquire();
        OpEncoder.recvMultishot(op, fd, ProvidedBuffers.GROUP);
        queue.clearEnd();
        throttled = false;                              // published to the poller by the submit's hand-off
        receiving = true;
        try {
            ops.submitDetached(op);                     // throws (reference given back) if closing or closed
        } catch (IOException e) {
            receiving = false;
            throw e;
        }
        armed = op;
    }

    /** Reads that took bytes waiting in the kernel with a direct recv, without the ring. */
    long directReads() {
        return directReads;
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
        StreamReads f = fallback;
        return f == null ? 0 : f.rescuedBytes();
    }

    /** After the fd was closed (every CQE reaped): gives back every buffer the socket still holds. */
    void dispose() {
        lock.lock();
        try {
            disposed = true;
            if (fallback != null) {
                fallback.dispose();
            }
            queue.dispose();
        } finally {
            lock.unlock();
        }
    }
}
