package dev.ringloom.runtime.uring;

import dev.ringloom.runtime.backend.IoErrors;

import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.OpEncoder;
import dev.ringloom.poller.PollerDeadlockException;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.uring.Cqe;
import dev.ringloom.poller.uring.IoUringConstants;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

import static dev.ringloom.runtime.uring.OpBracket.OnInterrupt.ABANDON;

/**
 * Reads of one byte stream (pipe, FIFO, socket) such that no byte is lost, duplicated or reordered when a
 * reader gives up.
 *
 * <p>Invariants, all under {@code lock}: at most one read op is in flight on the stream; a read op whose
 * reader was interrupted stays the stream's {@code carry} — its buffer is kept, not released, when the kernel
 * completes it — and the next reader takes its bytes before it may submit a new read; bytes a completed read
 * returned beyond what its reader wanted wait in {@code leftover} for the next reader. Readers take turns on
 * the lock, as with {@code java.net.Socket}.
 */
final class StreamReads {
    private final ReentrantLock lock = new ReentrantLock();
    private final OpBracket ops;
    private final NativeBufferPool pool;
    private final byte opcode;     // OP_READ (pipes) or OP_RECV (sockets)

    // Guarded by lock.
    private Op carry;
    private MemorySegment leftover;
    private int leftoverPos, leftoverLimit;
    private boolean disposed;      // the stream closed: a late consume has nothing to give back
    private long rescuedBytes;     // bytes that abandoned reads received anyway and the next reader got
    private boolean drained;       // sockets: the last recv left nothing queued, so the next one polls first
    private final SpareOp<Op> spare = new SpareOp<>(Op::new);

    StreamReads(OpBracket ops, NativeBufferPool pool, byte opcode) {
        this.ops = ops;
        this.pool = pool;
        this.opcode = opcode;
    }

    /**
     * Reads up to {@code dst.remaining()} bytes, blocking until at least one is available.
     *
     * @param timeoutNanos 0 for none; else the kernel cancels the read after this long (a linked timeout)
     * @return bytes read, or -1 at end of stream
     * @throws InterruptedIOException  if interrupted (nothing was consumed; the interrupt status stays set)
     * @throws SocketTimeoutException  if the timeout passed first (nothing was consumed)
     */
    int read(ByteBuffer dst, int maxChunk, long timeoutNanos) throws IOException {
        int want = Math.min(dst.remaining(), maxChunk);
        if (want == 0) {
            return 0;
        }
        lock.lock();
        try {
            if (leftover == null && receive(want, timeoutNanos) < 0) {
                return -1;
            }
            return fromLeftover(dst);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The stream's next bytes where the kernel wrote them (a runtime buffer, no copy), receiving up to {@code want}
     * if none wait; null at end of stream. They stay valid until {@link #consume} empties them.
     */
    MemorySegment fill(int want, long timeoutNanos) throws IOException {
        lock.lock();
        try {
            if (leftover == null && receive(want, timeoutNanos) < 0) {
                return null;
            }
            return leftover.asSlice(leftoverPos, leftoverLimit - leftoverPos);
        } finally {
            lock.unlock();
        }
    }

    /** Marks {@code n} of the bytes {@link #fill} returned consumed; the buffer goes back once all are. */
    void consume(int n) {
        lock.lock();
        try {
            if (disposed) {
                return;                     // closed meanwhile: the buffer went back already
            }
            int left = leftover == null ? 0 : leftoverLimit - leftoverPos;
            if (n < 0 || n > left) {
                throw new IllegalArgumentException("consume(" + n + "): " + left + " bytes are filled");
            }
            leftoverPos += n;
            if (leftover != null && leftoverPos == leftoverLimit) {
                pool.release(leftover);
                leftover = null;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sockets, with nothing pending here ({@link #hasPending} false): one {@code recv(MSG_DONTWAIT)} of up to
     * {@code want} bytes into a pool buffer, which is what {@link #read} and {@link #fill} return next.
     *
     * @return bytes received, 0 at end of stream, or the negative errno ({@code -EAGAIN}: nothing queued)
     */
    long receiveNow(int want) throws IOException {
        lock.lock();
        try {
            if (leftover != null || carry != null) {
                throw new IllegalStateException("a direct recv with bytes pending");
            }
            MemorySegment buf = pool.acquire(want);
            long r;
            try {
                int fd = ops.acquire();
                try {
                    r = Libc.recvNoWait(fd, buf.address(), Math.min(buf.byteSize(), want));
                } finally {
                    ops.giveBack();
                }
            } catch (IOException | RuntimeException | Error e) {
                pool.release(buf);
                throw e;
            }
            if (r > 0) {
                leftover = buf;
                leftoverPos = 0;
                leftoverLimit = (int) r;
            } else {
                pool.release(buf);
            }
            return r;
        } finally {
            lock.unlock();
        }
    }

    /** Under lock, with nothing left over: one read of up to {@code want} bytes into {@code leftover}; -1 at EOF. */
    private int receive(int want, long timeoutNanos) throws IOException {
        for (;;) {
            Op op;
            boolean reclaimed = carry != null;
            if (reclaimed) {
                op = carry;
                carry = null;
                op.reclaim();
            } else {
                IoErrors.checkNotInterrupted("read", ops);
                op = spare.take();                          // allocations first: the fd reference could leak
                MemorySegment buf = pool.acquire(want);
                int fd;
                try {
                    fd = ops.acquire();
                } catch (IOException e) {
                    pool.release(buf);
                    throw e;
                }
                int len = (int) Math.min(buf.byteSize(), want);
                if (opcode == IoUringConstants.OP_READ) {
                    OpEncoder.read(op, fd, OpEncoder.CURRENT_POSITION, buf.address(), len);
                } else {
                    OpEncoder.recv(op, fd, buf.address(), len);
                }
                op.buffer(buf, pool).retainOnAbandon().linkTimeout(timeoutNanos);
                if (drained && opcode == IoUringConstants.OP_RECV) {
                    // The socket was empty a moment ago: skip the attempt that would fail with EAGAIN.
                    op.ioprio(IoUringConstants.RECVSEND_POLL_FIRST);
                }
                ops.submit(op);
            }
            int res;
            try {
                res = ops.waitFor(op, ABANDON);
            } catch (InterruptedIOException | PollerDeadlockException e) {
                carry = op;                     // its bytes, if any, belong to the next reader
                throw e;
            }
            MemorySegment buf = op.takeBuffer();
            drained = (op.cqeFlags() & Cqe.F_SOCK_NONEMPTY) == 0;
            spare.giveBack(op);
            if (res < 0) {
                pool.release(buf);
                if (reclaimed && ops.cancelledByCaller(res)) {
                    continue;                   // the abandoned read was cancelled before it read anything
                }
                throw ops.failure("read", res, op);   // a linked timeout's cancel: SocketTimeoutException
            }
            if (res > 0 && reclaimed) {
                rescuedBytes += res;
            }
            if (res > 0) {
                leftover = buf;
                leftoverPos = 0;
                leftoverLimit = res;
                return res;
            }
            pool.release(buf);
            return -1;
        }
    }

    private int fromLeftover(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), leftoverLimit - leftoverPos);
        dst.put(leftover.asSlice(leftoverPos, n).asByteBuffer());
        leftoverPos += n;
        if (leftoverPos == leftoverLimit) {
            pool.release(leftover);
            leftover = null;
        }
        return n;
    }

    /** Bytes that reads abandoned by their thread received anyway, delivered to the next reader. */
    long rescuedBytes() {
        lock.lock();
        try {
            return rescuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Bytes received and not yet consumed, read without the lock: an estimate, as {@code available()} is, which must
     * not wait behind a reader blocked in {@link #read}.
     */
    int bufferedBytes() {
        return leftover == null ? 0 : Math.max(0, leftoverLimit - leftoverPos);
    }

    /** True when a read would return bytes without asking the kernel. */
    boolean hasBufferedBytes() {
        return leftover != null;
    }

    /** True while the stream holds bytes or an abandoned read: the next read must come from here. */
    boolean hasPending() {
        lock.lock();
        try {
            return leftover != null || carry != null;
        } finally {
            lock.unlock();
        }
    }

    /** After the fd was closed (every CQE reaped): frees what the stream still holds. */
    void dispose() {
        lock.lock();
        try {
            disposed = true;
            if (carry != null) {
                carry.releaseBuffer();
                carry = null;
            }
            if (leftover != null) {
                pool.release(leftover);
                leftover = null;
            }
        } finally {
            lock.unlock();
        }
    }
}
