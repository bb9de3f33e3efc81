package dev.ringloom.runtime.jdk;

import dev.ringloom.runtime.backend.ReadWaits;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;

/**
 * Reads of a byte stream (socket, pipe) on the JDK backend: the caller reads the non-blocking channel itself — into
 * its own buffer for {@link #read}, into a {@link FillChunks} chunk for {@link #fill} — and parks on the stream's
 * {@link NonBlockingChannel} while nothing waits. A reader that is interrupted or times out gives up nothing: it
 * owned no op, and the bytes that arrive stay in the kernel for the next read.
 *
 * <p>Readers take turns on the stream's {@link NonBlockingChannel#readTurns}; the fill chunk and its unread part are
 * guarded by it.
 */
final class JdkStreamReads {
    private final JdkBackend backend;
    private final NonBlockingChannel stream;
    private final ReadableByteChannel channel;
    private final String what;

    private MemorySegment chunk;                // the fill's chunk, or null
    private ByteBuffer chunkView;
    private int start, end;                     // its unread bytes
    private volatile int unread;                // end - start, for available()
    private boolean closed;                     // the chunk went back with the close

    JdkStreamReads(JdkBackend backend, NonBlockingChannel stream, ReadableByteChannel channel, String name) {
        this.backend = backend;
        this.stream = stream;
        this.channel = channel;
        this.what = "read(" + name + ")";
    }

    /** Bytes a fill returned that no read or consume took yet. */
    long bufferedBytes() {
        return unread;
    }

    /**
     * @param timeoutNanos 0 for none
     * @return bytes read, -1 at end of stream
     * @throws InterruptedIOException if interrupted while waiting (nothing consumed; status stays set)
     * @throws SocketTimeoutException if the timeout passed first (nothing consumed)
     */
    int read(ByteBuffer dst, long timeoutNanos) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        stream.readTurns.lock();
        try {
            if (start < end) {
                int n = Math.min(dst.remaining(), end - start);
                dst.put(dst.position(), chunkView, start, n).position(dst.position() + n);
                consumed(n);
                return n;
            }
            long deadline = ReadWaits.deadline(timeoutNanos);
            for (int attempt = 0; ; attempt++) {
                int n = readNow(dst);
                if (n != 0) {
                    return n;
                }
                stream.await(SelectionKey.OP_READ, deadline, what, attempt);
            }
        } finally {
            stream.readTurns.unlock();
        }
    }

    /** The next bytes, in a chunk of the stream's (no further copy), waiting like {@link #read}; null at the end. */
    MemorySegment fill(long timeoutNanos) throws IOException {
        stream.readTurns.lock();
        try {
            if (start < end) {
                return chunk.asSlice(start, end - start);
            }
            long deadline = ReadWaits.deadline(timeoutNanos);
            for (int attempt = 0; ; attempt++) {
                if (chunk == null) {
                    chunk = backend.fillChunks.take();
                    chunkView = chunk.asByteBuffer();
                }
                int n = readNow(chunkView.clear());
                if (n > 0) {
                    start = 0;
                    end = n;
                    unread = n;
                    return chunk.asSlice(0, n);
                }
                if (n < 0) {
                    giveBackChunk();
                    return null;
                }
                if (attempt > 0) {              // (a first attempt may yield)
                    giveBackChunk();            // a wait that parks holds no buffer: an idle stream holds none
                }
                stream.await(SelectionKey.OP_READ, deadline, what, attempt);
            }
        } finally {
            stream.readTurns.unlock();
        }
    }

    /** Marks {@code n} of the bytes {@link #fill} returned consumed. */
    void consume(int n) {
        stream.readTurns.lock();
        try {
            if (closed) {
                return;                         // the close took the fill back: nothing to consume
            }
            if (n < 0 || n > end - start) {
                throw new IllegalArgumentException("consume(" + n + ") of " + (end - start) + " bytes filled");
            }
            consumed(n);
        } finally {
            stream.readTurns.unlock();
        }
    }

    private void consumed(int n) {
        start += n;
        unread = end - start;
    }

    /** One non-blocking read: bytes read, 0 if none wait, -1 at end of stream. */
    private int readNow(ByteBuffer dst) throws IOException {
        stream.checkOpen(what);
        int n = channel.read(dst);
        if (n < 0 && backend.isClosed()) {
            // the runtime's close may have closed a pipe's write end first: not a real end of stream
            throw JdkBackend.closedError(what);
        }
        return n;
    }

    private void giveBackChunk() {
        if (chunk != null) {
            backend.fillChunks.give(chunk);
            chunk = null;
            chunkView = null;
        }
    }

    /** After the channel's close: the chunk goes back (a fill's view the caller kept stays valid memory). */
    void close() {
        stream.readTurns.lock();
        try {
            closed = true;
            start = end = 0;
            unread = 0;
            giveBackChunk();
        } finally {
            stream.readTurns.unlock();
        }
    }
}
