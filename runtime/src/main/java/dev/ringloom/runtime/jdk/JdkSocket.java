package dev.ringloom.runtime.jdk;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.RingSocket;

import dev.ringloom.poller.spi.SocketIo;

import java.io.IOException;
import java.io.InterruptedIOException;
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

/**
 * A TCP socket on the JDK backend: a {@link SocketChannel} in non-blocking mode ({@link NonBlockingChannel}) that its
 * readers and writers call on their own threads; the rules are {@link RingSocket}'s. Thread-safe.
 */
final class JdkSocket implements SocketIo {

    private final JdkBackend backend;
    private final SocketChannel channel;
    private final NonBlockingChannel stream;
    private final JdkStreamReads reads;
    private final JdkStreamWrites writes;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String label;

    JdkSocket(JdkBackend backend, SocketChannel channel) throws IOException {
        this.backend = backend;
        this.channel = channel;
        this.label = "socket " + channel;
        this.stream = new NonBlockingChannel(backend, channel, label);
        this.reads = new JdkStreamReads(backend, stream, channel, label);
        this.writes = new JdkStreamWrites(stream, channel, label);
        backend.track(this);        // a runtime close wakes this socket's waiters too
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

    @Override
    public int read(ByteBuffer dst, long timeoutNanos) throws IOException {
        try {
            return reads.read(dst, timeoutNanos);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw mapped(e);
        }
    }

    @Override
    public java.lang.foreign.MemorySegment fill(long timeoutNanos) throws IOException {
        try {
            return reads.fill(timeoutNanos);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw mapped(e);
        }
    }

    @Override
    public void consume(int n) {
        reads.consume(n);
    }

    /** Writes all of {@code src} ({@link JdkStreamWrites}). */
    @Override
    public int write(ByteBuffer src) throws IOException {
        try {
            return writes.write(src);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw mapped(e);
        }
    }

    /** A gathering write straight from the caller's buffers: no staging copy. */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        try {
            return writes.write(srcs, offset, length);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw mapped(e);
        }
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
    public long available() {
        long inKernel;
        try {
            // The socket adaptor's stream asks the kernel (FIONREAD) without taking the channel's read lock.
            inKernel = channel.socket().getInputStream().available();
        } catch (IOException closedOrShut) {
            inKernel = 0;
        }
        return reads.bufferedBytes() + inKernel;
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
            channel.shutdownOutput();               // every byte a write reported written is in the kernel already
        } catch (IOException e) {
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

    /**
     * Wakes the threads waiting on the socket and closes the channel once none is inside it ({@link
     * NonBlockingChannel#close}). Idempotent, unlike the SPI asks: a runtime close closes the sockets it still tracks,
     * racing the user's close.
     */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            backend.untrack(this);
            backend.untrack(channel);
            try {
                stream.close();
            } finally {
                reads.close();
            }
        }
    }

    @Override
    public String toString() {
        return "JdkSocket[" + label + "]";
    }
}
