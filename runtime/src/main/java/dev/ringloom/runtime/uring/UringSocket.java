package dev.ringloom.runtime.uring;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.RingSocket;

import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.OpEncoder;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.sys.NativeMemory;
import dev.ringloom.poller.sys.SockAddr;
import dev.ringloom.poller.uring.Cqe;
import dev.ringloom.poller.uring.IoUringConstants;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import dev.ringloom.poller.spi.BufferVectors;
import dev.ringloom.poller.spi.SocketIo;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.Executor;

import static dev.ringloom.runtime.uring.OpBracket.OnInterrupt.ABANDON;


/** The io_uring {@link SocketIo}: the rules are {@link RingSocket}'s. */
final class UringSocket implements SocketIo {
    static final int MAX_READ = 256 * 1024;
    /** A fill's read size when the provided buffers ran out and the bytes come through a one-shot recv. */
    private static final int FILL_SIZE = 16 * 1024;
    private static final int MAX_WRITE = NativeBufferPool.MAX_SIZE;

    private final Poller poller;
    private final NativeBufferPool pool;
    private final SocketFd socket;
    private final FdHandle handle;          // socket.handle
    private final OpBracket ops;
    private final SocketReads reads;
    private volatile InetSocketAddress remote;
    private final SpareOp<Op> spareSend = new SpareOp<>(Op::new);
    private final SpareOp<ZeroCopySend> spareZeroCopy; // null unless zero-copy sends are on: idle sockets count bytes
    private final int zeroCopyFrom;             // sends of this many bytes or more from direct memory use SEND_ZC
    private final DirectPath sendPath;

    UringSocket(UringBackend runtime, int fd, InetSocketAddress remote) {
        this.poller = runtime.nextPoller();
        this.pool = runtime.buffers();
        this.socket = new SocketFd(fd);
        this.handle = socket.handle;
        this.remote = remote;
        this.ops = new OpBracket(poller, handle, "socket", true);
        boolean zeroCopy = poller.features().supports(IoUringConstants.OP_SEND_ZC)
                && runtime.zeroCopySendFrom() != Integer.MAX_VALUE;
        this.zeroCopyFrom = zeroCopy ? runtime.zeroCopySendFrom() : Integer.MAX_VALUE;
        this.spareZeroCopy = zeroCopy ? new SpareOp<>(ZeroCopySend::new) : null;
        this.reads = new SocketReads(ops, poller, pool, runtime.readPath());
        this.sendPath = runtime.sendPath();
    }

    /**
     * A socket the kernel accepted. It inherits the listener's options; where the listener was given
     * {@code SO_LINGER}, the socket's own value is read, so that a lingering close(2) runs off the poller.
     */
    static UringSocket accepted(UringBackend runtime, int fd, boolean listenerLingers) throws IOException {
        UringSocket s = new UringSocket(runtime, fd, null);
        if (listenerLingers) {
            try {
                s.socket.learnLinger();
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
        return s;
    }

    /** Connects to {@code address}; {@code timeoutNanos} 0 waits as long as the kernel does. */
    static UringSocket connect(UringBackend runtime, InetSocketAddress address, long timeoutNanos) throws IOException {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new UnknownHostException(address.getHostName());
        }
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        int family = SockAddr.family(address);
        int fd = Libc.socket(family, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw SocketErrors.forErrno("socket", fd);
        }
        UringSocket s = new UringSocket(runtime, fd, address);
        try {
            s.doConnect(address, family, timeoutNanos);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();   // a socket whose connect failed or was abandoned is in no usable state
            throw e;
        }
    }

    private void doConnect(InetSocketAddress address, int family, long timeoutNanos) throws IOException {
        IoErrors.checkNotInterrupted("connect", address.toString());
        Op op = new Op();                    // allocations before the fd reference, which they could leak
        MemorySegment sa = NativeMemory.allocate(SockAddr.MAX_SIZE, 8);
        int len = SockAddr.write(address, family, sa);
        int fd;
        try {
            fd = ops.acquire();
        } catch (IOException e) {
            NativeMemory.free(sa);
            throw e;
        }
        OpEncoder.connect(op, fd, sa.address(), len).buffer(sa, NativeMemory::free).linkTimeout(timeoutNanos);
        ops.run(op, ABANDON, "connect", address);      // interrupted: the registry frees the address at the CQE
        op.releaseBuffer();
    }

    /** Reads up to {@code dst.remaining()} bytes, parking until at least one arrives; -1 at end of stream. */
    @Override
    public int read(ByteBuffer dst, long timeoutNanos) throws IOException {
        try {
            return reads.read(dst, MAX_READ, timeoutNanos);
        } catch (ClosedChannelException e) {
            throw SocketErrors.closed(e);
        }
    }

    @Override
    public long available() {
        int fd;
        try {
            fd = handle.acquire();
        } catch (IOException closed) {
            return 0;
        }
        try {
            // Received and queued by the multishot, plus what waits in the kernel's receive queue for the next recv.
            return reads.queuedBytes() + Math.max(0, Libc.bytesReadable(fd));
        } finally {
            handle.release();
        }
    }

    @Override
    public MemorySegment fill(long timeoutNanos) throws IOException {
        try {
            return reads.fill(FILL_SIZE, timeoutNanos);
        } catch (ClosedChannelException e) {
            throw SocketErrors.closed(e);
        }
    }

    @Override
    public void consume(int n) {
        reads.consume(n);
    }

    /**
     * One send of up to {@code src.remaining()} bytes: through the ring from a thread on this socket's poller, else
     * first directly from this thread ({@code MSG_DONTWAIT}), through the ring only when nothing fits right away
     * ({@link DirectPath}).
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        return sendOnce(src);
    }

    /** One send for the slice, gathered into one pool buffer. */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return Gathered.write(srcs, offset, length, MAX_WRITE, pool, (buf, len) -> send(buf.address(), len, buf));
    }

    private int sendOnce(ByteBuffer src) throws IOException {
        int len = Math.min(src.remaining(), MAX_WRITE);
        int n;
        try {
            if (src.isDirect()) {
                // The caller's memory is safe to lend: a writer always waits for its send's completion.
                n = send(MemorySegment.ofBuffer(src).address(), len, null);
            } else {
                MemorySegment buf = pool.acquire(len);
                MemorySegment.copy(MemorySegment.ofBuffer(src), 0, buf, 0, len);
                n = send(buf.address(), len, buf);
            }
        } catch (InterruptedIOException cutShort) {
            src.position(src.position() + cutShort.bytesTransferred);
            throw cutShort;
        }
        src.position(src.position() + n);
        return n;
    }

    /**
     * One send of {@code len} bytes at {@code addr}: straight from this thread ({@code MSG_DONTWAIT}) where the
     * {@link DirectPath} says so and it fits, else through the ring. {@code buf}, if not null, is the pooled memory holding them, whose ownership passes to this
     * call; null means the caller's own memory, which may go out zero-copy.
     */
    private int send(long addr, int len, MemorySegment buf) throws IOException {
        int fd;
        try {
            fd = ops.acquire();
        } catch (IOException | RuntimeException | Error e) {
            pool.release(buf);
            throw e;
        }
        Op op;
        try {   // from the reference to the submit: whatever throws (an OutOfMemoryError) gives both back
            if (buf == null && len >= zeroCopyFrom) {
                op = spareZeroCopy.take();
                OpEncoder.sendZc(op, fd, addr, len);  // the caller's memory, read by the kernel until the notification
                ((ZeroCopySend) op).sent = Integer.MIN_VALUE;
            } else {
                op = null;
            }
            long r = op != null || !sendPath.direct(poller) ? 0 : Libc.sendNoWait(fd, addr, len);
            if (r > 0) {
                ops.giveBack();
                pool.release(buf);
                return (int) r;
            }
            if (op == null) {
                op = spareSend.take();
                OpEncoder.send(op, fd, addr, len);
                if (buf != null) {
                    op.buffer(buf, pool);
                }
            }
        } catch (RuntimeException | Error e) {
            ops.giveBack();
            pool.release(buf);
            throw e;
        }
        ops.submit(op);
        int res = ops.awaitWritten(op, "send", len);
        if (op instanceof ZeroCopySend zc) {
            spareZeroCopy.giveBack(zc);
        } else {
            spareSend.giveBack(op);
        }
        return res;
    }

    /**
     * A zero-copy send ({@code IORING_OP_SEND_ZC}). Its first CQE carries the bytes sent, its last only says the
     * kernel is done with the memory; the op completes at the last, so a writer — which waits for its send's
     * completion, also when interrupted — never gets its buffer back while the kernel may still read it.
     */
    static final class ZeroCopySend extends Op {
        int sent;           // the first CQE's result, Integer.MIN_VALUE until it came (poller thread; published
                            // to the waiter with the completion)

        @Override
        protected void onMultishotCqe(int res, int flags) {
            if ((flags & Cqe.F_NOTIF) == 0) {
                sent = res;
            }
        }

        @Override
        public int outcome(int finalResult) {
            return sent == Integer.MIN_VALUE ? finalResult : sent;   // a failed send posts one CQE, no notification
        }
    }

    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        socket.setOption(option, value);
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        return socket.getOption(option);
    }

    /** Disables further reads: a blocked and every later read returns -1. */
    public void shutdownInput() throws IOException {
        socket.shutdown(Libc.SHUT_RD, "shutdownInput");
    }

    /** Sends FIN after the data written so far; later writes fail. */
    public void shutdownOutput() throws IOException {
        socket.shutdown(Libc.SHUT_WR, "shutdownOutput");
    }

    public InetSocketAddress localAddress() throws IOException {
        return socket.localAddress();
    }

    public InetSocketAddress remoteAddress() throws IOException {
        InetSocketAddress r = remote;
        if (r == null) {
            remote = r = socket.remoteAddress();
        }
        return r;
    }

    /** Wakes blocked threads, cancels the socket's ops, closes the fd after their last completion. */
    @Override
    public void close() throws IOException {
        try {
            ops.close();
        } finally {
            reads.dispose();            // the provided buffers go back even when close(2) itself failed
        }
    }

    /** The socket's poller: its completions are reaped there, so a reader scheduled there is woken in place. */
    @Override
    public Executor scheduler() {
        return poller;
    }

    @Override
    public ReceiveState receiveState() {
        return new ReceiveState(reads.multishot(), reads.receiving(), reads.oneShotReads(), reads.directReads());
    }

    @Override
    public String toString() {
        return "UringSocket[" + ops + "]";
    }
}
