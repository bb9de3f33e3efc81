package dev.ringloom.runtime;

import dev.ringloom.poller.spi.SocketIo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private JdkOp<Integer> unfinishedWrite;     // guarded by writeLock: a piece whose writer left
    private volatile long readTimeoutNanos;

    JdkSocket(JdkBackend backend, SocketChannel channel) {
        this.backend = backend;
        this.channel = channel;
        this.label = "socket " + channel;
        this.reads = new JdkStreamReads(backend, channel, label);
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
        } catch (java.io.InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw mapped(e);
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        writeLock.lock();
        try {
            if (unfinishedWrite != null) {
                JdkOp<Integer> previous = unfinishedWrite;
                unfinishedWrite = null;
                previous.reclaim();
                previous.awaitUninterruptibly();    // the left writer's piece goes out before this write starts
            }
            int total = 0;
            while (src.hasRemaining()) {
                if (Thread.currentThread().isInterrupted()) {
                    throw IoErrors.interrupted("write(" + label + ")", total);
                }
                int len = Math.min(src.remaining(), WRITE_PIECE);
                ByteBuffer copy = ByteBuffer.allocate(len).put(0, src, src.position(), len);
                JdkOp<Integer> op = backend.start("write(" + label + ")", () -> {
                    while (copy.hasRemaining()) {
                        channel.write(copy);
                    }
                    return len;
                });
                try {
                    op.await("write(" + label + ")", 0);
                } catch (java.io.InterruptedIOException e) {
                    unfinishedWrite = op;
                    e.bytesTransferred = total;     // confirmed bytes only: the piece in flight may still go out
                    throw e;
                }
                src.position(src.position() + len);
                total += len;
            }
            return total;
        } catch (java.io.InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw mapped(e);
        } finally {
            writeLock.unlock();
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
            backend.untrack(channel);
            channel.close();
        }
    }

    @Override
    public String toString() {
        return "RingSocket[jdk, " + label + (closed.get() ? ", closed" : "") + "]";
    }
}
