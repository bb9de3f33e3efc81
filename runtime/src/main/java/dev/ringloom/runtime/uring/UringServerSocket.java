package dev.ringloom.runtime.uring;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.RingServerSocket;

import dev.ringloom.poller.FdHandle;
import dev.ringloom.poller.Op;
import dev.ringloom.poller.OpEncoder;
import dev.ringloom.poller.Poller;
import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.sys.SockAddr;
import dev.ringloom.poller.uring.Cqe;

import dev.ringloom.poller.spi.ServerSocketIo;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/** The io_uring {@link ServerSocketIo}: the rules are {@link RingServerSocket}'s. */
final class UringServerSocket implements ServerSocketIo {
    private final UringBackend runtime;
    private final Poller poller;
    private final SocketFd socket;
    private final FdHandle handle;          // socket.handle
    private final OpBracket ops;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String label;
    /**
     * Accepted fds the poller queued ({@link Integer}), {@link #ENDED} each time the multishot op ended, and
     * {@link Failed} markers that pass an error end on to every acceptor that was waiting.
     */
    private final LinkedTransferQueue<Object> ready = new LinkedTransferQueue<>();
    /** Accepted fds in {@code ready}: at {@link #maxQueued} the poller cancels the multishot (PITFALLS 11). */
    private final AtomicInteger queued = new AtomicInteger();
    private final int maxQueued;
    private final ReentrantLock armLock = new ReentrantLock();
    private AcceptOp armed;                 // guarded by armLock: the multishot accept in flight, or null

    /** Queued when the multishot accept ends (error, cancel, close): an acceptor re-arms or reports it. */
    private static final Object ENDED = new Object();

    /** An error end of the multishot, for an acceptor that was waiting when another one took {@link #ENDED}. */
    private record Failed(IOException failure) {
    }

    /**
     * The multishot accept: the poller hands each accepted fd to the ready queue. A multishot accept left armed
     * would turn every incoming connection into an fd of this process whether or not anyone accepts, so once
     * {@link #maxQueued} wait it is cancelled; the kernel's listen backlog then holds the rest, as with a plain
     * accept(2), and the acceptor that takes {@link #ENDED} arms it again.
     */
    private final class AcceptOp extends Op {
        volatile int endResult;             // the final CQE's res if negative, else 0
        private boolean throttled;          // poller thread only

        @Override
        protected void onMultishotCqe(int res, int flags) {
            boolean more = (flags & Cqe.F_MORE) != 0;
            if (res >= 0) {
                ready.offer(res);
                if (queued.incrementAndGet() >= maxQueued && more && !throttled) {
                    throttled = true;
                    requestCancel(poller);
                }
            }
            if (!more) {
                endResult = Math.min(res, 0);
                ready.offer(ENDED);
            }
        }
    }

    private UringServerSocket(UringBackend runtime, int fd, int backlog) {
        this.runtime = runtime;
        this.poller = runtime.nextPoller();
        this.socket = new SocketFd(fd);
        this.handle = socket.handle;
        this.label = "server socket fd=" + fd;
        this.ops = new OpBracket(poller, handle, label, true);
        this.maxQueued = backlog;
    }

    /**
     * Binds to {@code local} (port 0: any free port) with SO_REUSEADDR and listens.
     *
     * @param backlog pending connections the kernel queues; values below 1 mean 128
     */
    static UringServerSocket listen(UringBackend runtime, InetSocketAddress local, int backlog) throws IOException {
        if (local.isUnresolved()) {
            throw new java.net.UnknownHostException(local.getHostName());
        }
        backlog = backlog < 1 ? 128 : backlog;
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
            r = Libc.listen(fd, backlog);
            if (r < 0) {
                throw SocketErrors.forErrno("listen(" + local + ")", r);
            }
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return new UringServerSocket(runtime, fd, backlog);
    }

    /** Parks until a connection arrives and returns it. */
    @Override
    public UringSocket accept(long timeoutNanos) throws IOException {
        for (;;) {
            if (closed.get()) {
                throw new SocketException("Socket closed");
            }
            arm();
            Object next;
            long mark = poller.beforePark(label);   // refuses a wait that would park the poller's own thread
            try {
                next = take(timeoutNanos, mark);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw IoErrors.interrupted("accept(" + label + ")", 0);
            } finally {
                poller.afterWait(mark);
            }
            if (next == null) {
                throw new SocketTimeoutException("Accept timed out");
            }
            if (next instanceof Integer fd) {
                queued.decrementAndGet();
                return UringSocket.accepted(runtime, fd, socket.lingerEverSet());
            }
            if (next instanceof Failed f) {
                throw copyOf(f.failure());
            }
            IOException failure = ended();
            if (failure != null) {
                throw failure;
            }
        }
    }

    /**
     * The next entry of the ready queue, waiting at most {@code timeoutNanos} (0: forever). On the poller's own
     * thread ({@code mark >= 0}) it waits in slices, and asks the poller after each whether it is parked pinned
     * there, where no connection could ever be queued for it.
     */
    private Object take(long timeoutNanos, long mark) throws InterruptedException, IOException {
        if (mark < 0) {
            return timeoutNanos > 0 ? ready.poll(timeoutNanos, TimeUnit.NANOSECONDS) : ready.take();
        }
        long deadline = System.nanoTime() + timeoutNanos;
        for (;;) {
            long slice = TimeUnit.MILLISECONDS.toNanos(100);
            if (timeoutNanos > 0) {
                slice = Math.min(slice, deadline - System.nanoTime());
                if (slice <= 0) {
                    return null;
                }
            }
            Object next = ready.poll(slice, TimeUnit.NANOSECONDS);
            if (next != null) {
                return next;
            }
            poller.afterPark(mark, label);
        }
    }

    /** Submits the multishot accept unless one is in flight. */
    private void arm() throws IOException {
        armLock.lock();
        try {
            if (armed != null || closed.get()) {
                return;
            }
            AcceptOp op = new AcceptOp();    // before the fd reference, which an OutOfMemoryError here would leak
            OpEncoder.acceptMultishot(op, ops.acquire(), Libc.SOCK_CLOEXEC);
            ops.submitDetached(op);
            armed = op;
        } finally {
            armLock.unlock();
        }
    }

    /**
     * An acceptor took {@link #ENDED}: the op is over. After close, passes the news on to the next waiting
     * acceptor and says "Socket closed"; after an error, reports it once (the next accept re-arms); after a
     * plain end, lets the caller re-arm and wait again.
     */
    private IOException ended() {
        armLock.lock();
        try {
            AcceptOp op = armed;
            armed = null;
            if (closed.get() || handle.isClosing()) {
                ready.offer(ENDED);     // wake the next acceptor too
                return new SocketException("Socket closed");
            }
            int res = op == null ? 0 : op.endResult;
            if (res < 0 && res != -Errno.ECANCELED) {
                IOException failure = ops.failure("accept(" + label + ")", res, op);
                // The op that all of them waited on is over: every acceptor waiting now learns why, not one.
                for (int waiting = ready.getWaitingConsumerCount(); waiting > 0; waiting--) {
                    ready.offer(new Failed(failure));
                }
                return failure;
            }
            if (!poller.isOpen()) {
                return new IOException("accept(" + label + "): the ringloom runtime was closed");
            }
            return null;
        } finally {
            armLock.unlock();
        }
    }

    /** A fresh exception for one more acceptor, of the same type where it has the usual constructor. */
    private static IOException copyOf(IOException failure) {
        IOException copy = failure instanceof SocketException ? new SocketException(failure.getMessage())
                : new IOException(failure.getMessage());
        copy.initCause(failure);
        return copy;
    }

    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        socket.setOption(option, value);
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        return socket.getOption(option);
    }

    /** The bound address (with the port the kernel chose for port 0). */
    public InetSocketAddress localAddress() throws IOException {
        return socket.localAddress();
    }

    /** Cancels the accept, wakes blocked acceptors, closes connections nobody took, then the listening fd. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            ops.close();                   // the multishot accept's final CQE queues ENDED
        } finally {
            ready.offer(ENDED);            // for acceptors if it was never armed
            // Every op on the fd completed before it closed: what is queued now is all there will ever be. Also
            // when close(2) failed: the connections nobody took are closed all the same.
            for (Object next : ready) {
                if (next instanceof Integer fd && ready.remove(next)) {
                    Libc.close(fd);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "UringServerSocket[" + label + "]";
    }
}
