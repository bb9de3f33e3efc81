package dev.ringloom.runtime.jdk;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.backend.ReadWaits;
import dev.ringloom.runtime.RingSocket;

import dev.ringloom.poller.spi.SocketIo;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
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
        this(backend, channel, new NonBlockingChannel(backend, channel, channel));
    }

    private JdkSocket(JdkBackend backend, SocketChannel channel, NonBlockingChannel stream) throws IOException {
        this.backend = backend;
        this.channel = channel;
        this.label = "socket " + channel;
        this.stream = stream;
        this.reads = new JdkStreamReads(backend, stream, channel, label);
        this.writes = new JdkStreamWrites(stream, channel, label);
        backend.track(this);        // a runtime close wakes this socket's waiters too
    }

    /**
     * A non-blocking connect on the caller's thread, parked on the readiness selector until it is done, the timeout
     * passes or an interrupt: a socket whose connect failed or was given up is closed (it is in no usable state).
     */
    static JdkSocket connect(JdkBackend backend, InetSocketAddress address, long timeoutNanos) throws IOException {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new UnknownHostException(address.getHostName());
        }
        if (timeoutNanos < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        String what = "connect(" + address + ")";
        IoErrors.checkNotInterrupted("connect", address.toString());
        SocketChannel ch = SocketChannel.open();
        NonBlockingChannel stream;
        try {
            stream = backend.track(new NonBlockingChannel(backend, ch, ch));   // a runtime close wakes the connect
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        try {
            long deadline = ReadWaits.deadline(timeoutNanos);
            stream.readTurns.lock();
            try {
                if (!ch.connect(address)) {
                    do {
                        stream.await(SelectionKey.OP_CONNECT, deadline, what, 1);
                    } while (!ch.finishConnect());
                }
            } finally {
                stream.readTurns.unlock();
            }
            JdkSocket s = new JdkSocket(backend, ch, stream);
            backend.untrack(stream);        // tracked as the socket now
            return s;
        } catch (IOException | RuntimeException e) {
            backend.untrack(stream);
            stream.close();
            if (e instanceof SocketTimeoutException) {
                throw new SocketTimeoutException(what + ": Connect timed out");
            }
            throw e;
        }
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
