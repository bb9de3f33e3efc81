package dev.ringloom.runtime;

import dev.ringloom.poller.spi.SocketIo;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP socket on the JDK backend: a blocking {@link SocketChannel} whose reads and writes run on helper
 * virtual threads; the rules are {@link RingSocket}'s, with the write difference its Javadoc states. Thread-safe.
 */
final class JdkSocket implements SocketIo {
    private static final int WRITE_PIECE = 64 * 1024;

    private final JdkBackend backend;
    private final SocketChannel channel;
    private final JdkStreamReads reads;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String label;
    // Writer ↔ write pump: a one-piece hand-off through volatiles, with park/unpark on both sides.
    private volatile ByteBuffer piece;          // the piece the pump writes, null when it is idle
    private volatile IOException writeFailure;
    private volatile boolean writeStopped;
    private volatile Thread writePumpThread;    // set by the pump itself before it first waits
    private volatile Thread writeWaiter;
    private volatile boolean writePumpStarted;
    private final java.util.concurrent.CountDownLatch writePumpDone = new java.util.concurrent.CountDownLatch(1);
    private volatile long readTimeoutNanos;

    JdkSocket(JdkBackend backend, SocketChannel channel) throws IOException {
        this.backend = backend;
        this.channel = channel;
        this.label = "socket " + channel;
        this.reads = new JdkStreamReads(backend, channel, label);
        backend.track(this);        // a runtime close stops this socket's pumps too
    }

    static JdkSocket connect(JdkBackend backend, InetSocketAddress address, long timeoutNanos) throws IOException {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new UnknownHostException(address.getHostName());
        }
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        IoErrors.checkNotInterrupted("connect", address.toString());
        SocketChannel ch = backend.track(SocketChannel.open());
        int millis = timeoutNanos == 0 ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
        JdkOp<Void> op = backend.start("connect(" + address + ")", () -> {
            ch.socket().connect(address, millis);
            return null;
        });
        try {
            op.await("connect(" + address + ")", 0);
        } catch (IOException | RuntimeException e) {
            ch.close();         // a socket whose connect failed or was abandoned is in no usable state
            if (e instanceof java.net.SocketTimeoutException) {
                throw new java.net.SocketTimeoutException("connect(" + address + "): Connect timed out");
            }
            throw e;
        }
        return new JdkSocket(backend, ch);
    }

    private IOException mapped(IOException e) {
        if (backend.isClosed()) {
            IOException r = JdkBackend.closedError(label);
            r.initCause(e);
            return r;
        }
        if (closed.get() || e instanceof ClosedChannelException) {
            SocketException s = new SocketException("Socket closed");
            s.initCause(e);
            return s;
        }
        if (e.getClass() == IOException.class && !backend.isClosed()) {
            SocketException s = new SocketException(e.getMessage());   // reset, broken pipe: java.net's type
            s.initCause(e);
            return s;
        }
        return e;
    }

    private void ensureOpen() throws SocketException {
        if (closed.get()) {
            throw new SocketException("Socket closed");
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        try {
            return reads.read(dst, readTimeoutNanos);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw mapped(e);
        }
    }

    /**
     * Hands {@code src} to the write pump piece by piece and waits for each. An interrupted writer leaves its piece
     * with the pump (it still goes out) and the next write first waits for it.
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        writeLock.lock();
        try {
            awaitPieceWritten(false);               // a piece a writer left behind goes out first
            int total = 0;
            while (src.hasRemaining()) {
                if (Thread.currentThread().isInterrupted()) {
                    throw IoErrors.interrupted("write(" + label + ")", total);
                }
                int len = Math.min(src.remaining(), WRITE_PIECE);
                ByteBuffer copy = ByteBuffer.allocate(len).put(0, src, src.position(), len);
                piece = copy;
                if (!writePumpStarted) {
                    writePumpStarted = true;
                    try {
                        backend.startPump("write(" + label + ")", this::writePump);
                    } catch (IOException e) {
                        writePumpDone.countDown();          // no pump will run: nothing for close to wait for
                        throw e;
                    }
                } else {
                    LockSupport.unpark(writePumpThread);
                }
                try {
                    awaitPieceWritten(true);
                } catch (InterruptedIOException e) {
                    e.bytesTransferred = total;     // confirmed bytes only: the piece in flight may still go out
                    throw e;
                }
                src.position(src.position() + len);
                total += len;
            }
            return total;
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw mapped(e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Parks until the pump holds no piece; {@code interruptible}: an interrupt ends the wait with IIOE. */
    private void awaitPieceWritten(boolean interruptible) throws IOException {
        boolean interrupted = false;
        writeWaiter = Thread.currentThread();
        try {
            for (;;) {
                IOException failed = writeFailure;
                if (failed == null && writeStopped) {
                    failed = new AsynchronousCloseException();   // closed under this writer
                }
                if (failed != null) {
                    IOException e = failed instanceof ClosedChannelException
                            ? new AsynchronousCloseException() : new IOException(failed.getMessage());
                    e.initCause(failed);
                    throw backend.isClosed() ? JdkBackend.closedError("write(" + label + ")") : e;
                }
                if (piece == null) {
                    return;
                }
                if (Thread.currentThread().isInterrupted()) {
                    if (interruptible) {
                        throw IoErrors.interrupted("write(" + label + ")", 0);
                    }
                    interrupted = true;
                    Thread.interrupted();           // park would return at once; restored below
                }
                LockSupport.park(this);
            }
        } finally {
            writeWaiter = null;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Writes each piece it is handed, in order, until the socket closes. */
    private void writePump() {
        try {
            writePumpLoop();
        } finally {
            writePumpDone.countDown();
        }
    }

    private void writePumpLoop() {
        writePumpThread = Thread.currentThread();
        try {
            for (;;) {
                ByteBuffer b;
                while ((b = piece) == null && !writeStopped) {
                    LockSupport.park(this);
                }
                if (writeStopped) {
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
            writeFailure = e;
            wakeWriter();
        }
    }

    private void wakeWriter() {
        Thread w = writeWaiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    @Override
    public void setSoTimeout(int millis) throws SocketException {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        ensureOpen();
        readTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Override
    public int getSoTimeout() {
        return (int) TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos);
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        try {
            channel.setOption(option, value);
        } catch (ClosedChannelException e) {
            throw mapped(e);
        }
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        try {
            return channel.getOption(option);
        } catch (ClosedChannelException e) {
            throw mapped(e);
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        try {
            channel.shutdownInput();
        } catch (ClosedChannelException e) {
            throw mapped(e);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        try {
            channel.shutdownOutput();
        } catch (ClosedChannelException e) {
            throw mapped(e);
        }
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (ClosedChannelException e) {
            throw mapped(e);
        }
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        try {
            return (InetSocketAddress) channel.getRemoteAddress();
        } catch (ClosedChannelException e) {
            throw mapped(e);
        }
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    /** Closing the channel wakes its blocked helpers; the JDK releases the fd after they left it. */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            backend.untrack(this);
            backend.untrack(channel);
            writeStopped = true;
            try {
                channel.close();                    // ends the pumps blocked in it
                reads.close();                      // returns once the read pump has left the channel
            } finally {
                Thread pump = writePumpThread;
                if (pump != null) {
                    LockSupport.unpark(pump);
                }
                wakeWriter();
                if (writePumpStarted) {
                    JdkOp.awaitUninterruptibly(writePumpDone);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "RingSocket[jdk, " + label + (closed.get() ? ", closed" : "") + "]";
    }
}
