package dev.ringloom.runtime.jdk;

import dev.ringloom.runtime.backend.IoErrors;
import dev.ringloom.runtime.backend.ReadWaits;

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
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A listening socket on the JDK backend: a {@link ServerSocketChannel} in non-blocking mode
 * ({@link NonBlockingChannel}) that acceptors, taking turns, accept from on their own threads, parking on the
 * backend's readiness selector while no connection waits. An acceptor that is interrupted or times out accepted
 * nothing, so no connection is lost. Thread-safe.
 */
final class JdkServerSocket implements ServerSocketIo {
    private final JdkBackend backend;
    private final ServerSocketChannel channel;
    private final NonBlockingChannel waits;
    private final AtomicBoolean closed = new AtomicBoolean();

    private JdkServerSocket(JdkBackend backend, ServerSocketChannel channel) throws IOException {
        this.backend = backend;
        this.channel = channel;
        this.waits = new NonBlockingChannel(backend, channel, channel);
    }

    static JdkServerSocket listen(JdkBackend backend, InetSocketAddress local, int backlog) throws IOException {
        if (local.isUnresolved()) {
            throw new UnknownHostException(local.getHostName());
        }
        ServerSocketChannel ch = backend.track(ServerSocketChannel.open());
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(local, backlog < 1 ? 128 : backlog);
            JdkServerSocket server = new JdkServerSocket(backend, ch);
            backend.untrack(ch);
            return backend.track(server);   // a runtime close wakes its acceptors too
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public SocketIo accept(long timeoutNanos) throws IOException {
        if (closed.get()) {
            throw new SocketException("Socket closed");
        }
        String what = "accept(" + channel + ")";
        try {
            waits.readTurns.lockInterruptibly();        // acceptors take turns; an interrupt ends the wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw IoErrors.interrupted(what, 0);
        }
        try {
            long deadline = ReadWaits.deadline(timeoutNanos);
            for (;;) {
                SocketChannel accepted;
                try {
                    waits.checkOpen(what);
                    accepted = channel.accept();
                    if (accepted == null) {
                        waits.await(SelectionKey.OP_ACCEPT, deadline, what, 1);
                        continue;
                    }
                } catch (SocketTimeoutException e) {
                    throw new SocketTimeoutException("Accept timed out");
                } catch (InterruptedIOException e) {
                    throw e;
                } catch (IOException e) {
                    if (backend.isClosed()) {
                        IOException r = JdkBackend.closedError(what);
                        r.initCause(e);
                        throw r;
                    }
                    throw closed.get() || e instanceof ClosedChannelException ? closedException(e) : e;
                }
                try {
                    return new JdkSocket(backend, accepted);   // it tracks itself
                } catch (IOException | RuntimeException e) {
                    accepted.close();
                    throw e;
                }
            }
        } finally {
            waits.readTurns.unlock();
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

    /**
     * Wakes a waiting acceptor (it fails with "Socket closed") and closes the channel
     * ({@link NonBlockingChannel#close}).
     */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            backend.untrack(this);
            waits.close();
        }
    }

    @Override
    public String toString() {
        return "JdkServerSocket[" + channel + "]";
    }
}
