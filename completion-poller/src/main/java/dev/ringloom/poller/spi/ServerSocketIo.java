package dev.ringloom.poller.spi;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;

/**
 * The primitives of one listening TCP socket of an {@link IoBackend}; the rules (open or closed, the timeout) are the
 * runtime's ({@code RingServerSocket}). The caller is not interrupted when it calls and calls {@link #close} once.
 * Thread-safe; each connection goes to exactly one acceptor.
 */
public interface ServerSocketIo extends Closeable {
    /**
     * Parks until a connection arrives, or {@code timeoutNanos} (0: none) passed; then
     * {@link java.net.SocketTimeoutException}.
     */
    SocketIo accept(long timeoutNanos) throws IOException;

    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    <T> T getOption(SocketOption<T> option) throws IOException;

    InetSocketAddress localAddress() throws IOException;

    /** Stops accepting, wakes blocked acceptors, closes the connections nobody took, then the socket. Called once. */
    @Override
    void close() throws IOException;
}
