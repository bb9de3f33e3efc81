package dev.ringloom.poller.spi;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;

/** A listening TCP socket of an {@link IoBackend}. Thread-safe; each connection goes to exactly one acceptor. */
public interface ServerSocketIo extends Closeable {
    /**
     * Parks until a connection arrives, or {@code timeoutNanos} (0: none) passed; then
     * {@link java.net.SocketTimeoutException}.
     */
    SocketIo accept(long timeoutNanos) throws IOException;

    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    <T> T getOption(SocketOption<T> option) throws IOException;

    InetSocketAddress localAddress() throws IOException;

    boolean isOpen();
}
