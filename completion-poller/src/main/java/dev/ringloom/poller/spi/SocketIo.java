package dev.ringloom.poller.spi;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.net.SocketOption;
import java.nio.channels.ByteChannel;
import java.util.concurrent.Executor;

/**
 * A connected TCP socket of an {@link IoBackend}. Thread-safe: one read and one write at a time, further
 * readers and writers wait their turn. {@link #write} writes everything or throws.
 */
public interface SocketIo extends ByteChannel {
    /**
     * Reads up to {@code dst.remaining()} bytes, parking until at least one arrives or {@code timeoutNanos} (0:
     * none) passed; then {@link java.net.SocketTimeoutException}, nothing consumed. -1 at end of stream.
     */
    int read(ByteBuffer dst, long timeoutNanos) throws IOException;

    /** A read without a timeout. */
    @Override
    default int read(ByteBuffer dst) throws IOException {
        return read(dst, 0);
    }

    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    <T> T getOption(SocketOption<T> option) throws IOException;

    void shutdownInput() throws IOException;

    void shutdownOutput() throws IOException;

    InetSocketAddress localAddress() throws IOException;

    InetSocketAddress remoteAddress() throws IOException;

    /**
     * The scheduler that runs virtual threads on the thread serving this socket's completions, so that a
     * completion hands its waiter over without crossing threads; null if the backend has none (the default).
     */
    default Executor scheduler() {
        return null;
    }

    /**
     * How the socket receives right now, for tests and metrics: through a receive the socket owns and the kernel
     * fills into pooled buffers ({@link ReceiveState#pooled()}), whether that receive is armed, and how many reads
     * lent a buffer of their own because the pool ran out. The default: none of that (every read brings its own).
     */
    default ReceiveState receiveState() {
        return ReceiveState.NONE;
    }

    /**
     * @param pooled       the socket receives into the backend's pooled buffers (io_uring: a multishot recv into a
     *                     provided-buffer ring)
     * @param armed        that receive is in flight right now
     * @param ownBufferReads reads that lent their own buffer because the pool ran out or the kernel lacks it
     */
    record ReceiveState(boolean pooled, boolean armed, long ownBufferReads) {
        public static final ReceiveState NONE = new ReceiveState(false, false, 0);
    }
}
