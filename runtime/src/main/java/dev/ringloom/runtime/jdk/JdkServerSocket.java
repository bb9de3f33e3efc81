package dev.ringloom.runtime.jdk;

import dev.ringloom.runtime.backend.IoErrors;

import dev.ringloom.poller.spi.ServerSocketIo;
import dev.ringloom.poller.spi.SocketIo;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A listening socket on the JDK backend: one accept at a time runs on a helper; the connection an acceptor that
 * left was accepted for goes to the next acceptor, or is closed with the server. Thread-safe.
 */
final class JdkServerSocket implements ServerSocketIo {
    private final JdkBackend backend;
    private final ServerSocketChannel channel;
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private JdkOp<SocketChannel> carry;         // guarded by acceptLock

    private JdkServerSocket(JdkBackend backend, ServerSocketChannel channel) {
        this.backend = backend;
        this.channel = channel;
    }

    static JdkServerSocket listen(JdkBackend backend, InetSocketAddress local, int backlog) throws IOException {
        if (local.isUnresolved()) {
            throw new UnknownHostException(local.getHostName());
        }
        ServerSocketChannel ch = backend.track(ServerSocketChannel.open());
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(local, backlog < 1 ? 128 : backlog);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new JdkServerSocket(backend, ch);
    }

    @Override
    public SocketIo accept(long timeoutNanos) throws IOException {
        if (closed.get()) {
            throw new SocketException("Socket closed");
        }
        try {
            acceptLock.lockInterruptibly();             // acceptors take turns; an interrupt ends the wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw IoErrors.interrupted("accept(" + channel + ")", 0);
        }
        try {
            JdkOp<SocketChannel> op = carry;
            carry = null;
            if (op != null) {
                op.takeOver();
            } else {
                IoErrors.checkNotInterrupted("accept", channel.toString());
                op = backend.start("accept", channel::accept);
            }
            SocketChannel accepted;
            try {
                accepted = op.await("accept(" + channel + ")", timeoutNanos);
            } catch (SocketTimeoutException e) {
                carry = op;                             // its connection goes to the next acceptor
                throw new SocketTimeoutException("Accept timed out");
            } catch (InterruptedIOException e) {
                carry = op;
                throw e;
            } catch (IOException e) {
                throw closed.get() || e instanceof ClosedChannelException ? closedException(e) : e;
            }
            if (closed.get()) {
                accepted.close();
                throw new SocketException("Socket closed");
            }
            return new JdkSocket(backend, backend.track(accepted));
        } finally {
            acceptLock.unlock();
        }
    }

    private static SocketException closedException(IOException cause) {
        SocketException e = new SocketException("Socket closed");
        e.initCause(cause);
        return e;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        channel.setOption(option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        return channel.getOption(option);
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        backend.untrack(channel);
        channel.close();                                // wakes the helper blocked in accept
        acceptLock.lock();
        try {
            if (carry != null) {
                JdkOp<SocketChannel> op = carry;
                carry = null;
                op.takeOver();
                try {
                    SocketChannel untaken = op.join();
                    untaken.close();                    // accepted for an acceptor that left: nobody takes it now
                } catch (IOException expected) {
                    // the accept ended with the close
                }
            }
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "JdkServerSocket[" + channel + "]";
    }
}
