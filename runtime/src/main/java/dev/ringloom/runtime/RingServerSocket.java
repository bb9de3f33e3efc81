package dev.ringloom.runtime;

import dev.ringloom.poller.spi.ServerSocketIo;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A listening TCP socket. On io_uring it accepts through one multishot {@code IORING_OP_ACCEPT}: the kernel
 * keeps accepting and posts a CQE per connection, which the poller puts on this socket's ready queue;
 * {@link #accept()} takes from that queue. On the JDK backend a helper virtual thread accepts, and a connection
 * accepted for an acceptor that gave up goes to the next one. Obtain one from {@link Ringloom#listen}.
 *
 * <h2>Threads</h2>
 * Thread-safe; any number of threads may wait in {@link #accept()}, each connection goes to exactly one.
 *
 * <h2>Interrupt, timeout, close</h2>
 * An interrupted acceptor returns promptly with {@link InterruptedIOException}, interrupt status set; the
 * kernel op belongs to the socket, not to the acceptor, so nothing is cancelled and no connection is lost: the
 * next {@code accept()} returns it. {@link #setSoTimeout} bounds the wait ({@link SocketTimeoutException}).
 * {@link #close()} cancels the accept op, wakes blocked acceptors with {@code SocketException("Socket closed")},
 * closes connections nobody took, and closes the listening fd after the op's last completion. Every call after
 * close but {@code close} throws {@code SocketException("Socket closed")}.
 *
 * <h2>Where the rules live</h2>
 * Here, as in {@link RingSocket}: the state ladder, "Socket closed", the timeout; the backend's
 * {@link ServerSocketIo} only accepts with a deadline, sets options and closes once.
 */
public final class RingServerSocket implements AutoCloseable {
    private final ServerSocketIo io;
    private final ChannelState state = ChannelState.ofSocket();
    private volatile int soTimeoutMillis;   // the backend gets a deadline per call

    RingServerSocket(ServerSocketIo io) {
        this.io = io;
    }

    /** Parks until a connection arrives and returns it. */
    public RingSocket accept() throws IOException {
        state.ensureOpen();
        try {
            return new RingSocket(io.accept(TimeUnit.MILLISECONDS.toNanos(soTimeoutMillis)));
        } catch (IOException e) {
            throw state.closedDuring(e);
        }
    }

    /**
     * Bounds every later accept: 0 (the default) waits forever.
     *
     * @throws IllegalArgumentException if {@code millis} is negative
     * @throws SocketException          "Socket closed" after close
     */
    public void setSoTimeout(int millis) throws SocketException {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        if (!state.isOpen()) {
            throw new SocketException("Socket closed");
        }
        soTimeoutMillis = millis;
    }

    public int getSoTimeout() {
        return soTimeoutMillis;
    }

    public <T> RingServerSocket setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        state.guarded(() -> io.setOption(option, value));
        return this;
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        return state.guarded(() -> io.getOption(option));
    }

    /** The bound address (with the port the kernel chose for port 0). */
    public InetSocketAddress localAddress() throws IOException {
        return state.guarded(io::localAddress);
    }

    public boolean isOpen() {
        return state.isOpen();
    }

    /** Stops accepting, wakes blocked acceptors, closes connections nobody took, then the listening socket. */
    @Override
    public void close() throws IOException {
        state.close(io);
    }

    @Override
    public String toString() {
        return "RingServerSocket[" + io + ", " + state + "]";
    }
}
