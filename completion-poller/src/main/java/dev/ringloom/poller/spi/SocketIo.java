package dev.ringloom.poller.spi;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.net.SocketOption;
import java.util.concurrent.Executor;

/**
 * The IO primitives of one connected TCP socket of an {@link IoBackend}. The socket's rules — open or closed and
 * "Socket closed", argument and interrupt checks at entry, the timeout, writes taking turns and writing everything,
 * a write refused after one whose outcome is unknown — are the runtime's ({@code RingSocket}), written once for
 * every backend.
 *
 * <h2>What the caller guarantees</h2>
 * A buffer passed in has room (a read's is writable); the calling thread was not interrupted when it called; one
 * write at a time; {@link #close} is called once. A call that a close overtakes may fail with any
 * {@link IOException}: the caller reports it as "Socket closed".
 *
 * <h2>Threads</h2>
 * Thread-safe. Reads take turns inside the backend: at most one receive is in flight, so bytes a given-up read
 * received anyway go to the next reader.
 */
public interface SocketIo extends Closeable {
    /**
     * Reads up to {@code dst.remaining()} bytes, parking until at least one arrives or {@code timeoutNanos} (0:
     * none) passed; then {@link java.net.SocketTimeoutException}, nothing consumed. On interrupt:
     * {@link java.io.InterruptedIOException}, nothing consumed.
     *
     * @return bytes read, -1 at end of stream
     */
    int read(ByteBuffer dst, long timeoutNanos) throws IOException;

    /**
     * The next received bytes without a copy: the memory the backend received them into, parking like
     * {@link #read} (timeout, interrupt: nothing consumed); null at end of stream. The bytes stay the caller's to
     * read until {@link #consume} has consumed all of them — then the memory goes back to the backend (the kernel
     * may receive into it again). Calls of {@code fill}, {@code consume} and {@code read} take turns with one
     * another; a {@code read} between a {@code fill} and its {@code consume} returns those same bytes first.
     */
    MemorySegment fill(long timeoutNanos) throws IOException;

    /**
     * Marks the first {@code n} of the bytes the last {@link #fill} returned as consumed.
     *
     * @throws IllegalArgumentException if {@code n} is negative or more than that fill returned and is left
     */
    void consume(int n);

    /**
     * Writes some of {@code src} — at least one byte, perhaps all — parking until the kernel took them; advances
     * {@code src} by the bytes written. On interrupt: {@link java.io.InterruptedIOException} whose
     * {@code bytesTransferred} is exactly what this call wrote.
     */
    int write(ByteBuffer src) throws IOException;

    /**
     * {@link #write(ByteBuffer)} from {@code srcs[offset, offset + length)} in order, as one send (the caller checked
     * the slice and that it has data); advances the buffers by the bytes written, also when an interrupt cut it
     * short. The default gathers into one heap buffer of at most {@link FileIo#VECTOR_STAGING_MAX} bytes.
     */
    default long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ByteBuffer staging = BufferVectors.gathered(srcs, offset, length, FileIo.VECTOR_STAGING_MAX);
        return BufferVectors.advancing(srcs, offset, length, () -> write(staging));
    }

    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    <T> T getOption(SocketOption<T> option) throws IOException;

    void shutdownInput() throws IOException;

    /** Bytes received and not yet read that a read would return without waiting (an estimate); 0 if unknown. */
    default long available() {
        return 0;
    }

    void shutdownOutput() throws IOException;

    InetSocketAddress localAddress() throws IOException;

    InetSocketAddress remoteAddress() throws IOException;

    /** Wakes blocked callers, cancels the socket's ops, releases the fd after their last completion. Called once. */
    @Override
    void close() throws IOException;

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
     * How a socket receives, at one moment.
     *
     * @param pooled       the socket receives into the backend's pooled buffers (io_uring: a multishot recv into a
     *                     provided-buffer ring)
     * @param armed        that receive is in flight right now
     * @param ownBufferReads reads that lent their own buffer because the pool ran out or the kernel lacks it
     * @param directReads  reads that found their bytes waiting and took them with a direct call on the reader's
     *                     own thread, without the backend's receive
     */
    record ReceiveState(boolean pooled, boolean armed, long ownBufferReads, long directReads) {
        public static final ReceiveState NONE = new ReceiveState(false, false, 0, 0);
    }
}
