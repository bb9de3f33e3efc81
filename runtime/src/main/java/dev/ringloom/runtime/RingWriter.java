package dev.ringloom.runtime;

import dev.ringloom.poller.NativeBufferPool;

import java.io.Flushable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Buffered writes with {@code BufferedOutputStream}'s flush semantics over a buffer of the runtime's pool: small
 * writes gather in it, {@link #flush()} sends them in one write of the channel (no send per small write), and a
 * write at least as large as the buffer goes out from the caller's memory directly once the buffered bytes are out.
 * The buffer is taken from the pool at the first write after a flush and given back by the flush, so a connection
 * that is not writing holds none. Obtain one from {@link Ringloom#writer(RingSocket)} or
 * {@link Ringloom#writer(RingFile)}.
 *
 * <h2>Interrupt and failure</h2>
 * A flush cut short by an interrupt throws {@link InterruptedIOException} whose {@code bytesTransferred} counts the
 * buffered bytes that went out; the rest stay buffered, in order, and the next flush sends them: nothing is lost or
 * sent twice. The same holds for any other failure of the channel's write, though the channel is usually unusable
 * then.
 *
 * <h2>Threads</h2>
 * Not thread-safe: one writer thread at a time, as with {@code BufferedOutputStream}. {@link #close()} flushes and
 * gives the buffer back; it does not close the channel.
 */
public final class RingWriter implements Flushable, AutoCloseable {
    /** Where the bytes go: the channel's write of all of a buffer. */
    interface Sink {
        void writeAll(ByteBuffer src) throws IOException;
    }

    private final Sink sink;
    private final NativeBufferPool pool;
    private final int capacity;
    private MemorySegment buffer;       // null between a flush and the next write
    private int count;                  // buffered bytes, from 0
    private boolean closed;

    RingWriter(Sink sink, NativeBufferPool pool, int capacity) {
        IoBuffer.checkCapacity(capacity);
        this.sink = sink;
        this.pool = pool;
        this.capacity = capacity;
    }

    /** Buffers all of {@code src}, sending what fills the buffer; a large {@code src} goes out without a copy. */
    public void write(ByteBuffer src) throws IOException {
        ensureOpen();
        while (src.hasRemaining()) {
            if (count == 0 && src.remaining() >= capacity) {
                sink.writeAll(src);
                return;
            }
            if (buffer == null) {
                buffer = pool.acquire(capacity);
            }
            int n = Math.min(src.remaining(), capacity - count);
            MemorySegment.copy(MemorySegment.ofBuffer(src), 0, buffer, count, n);
            src.position(src.position() + n);
            count += n;
            if (count == capacity) {
                flush();
            }
        }
    }

    /** Like {@link #write(ByteBuffer)} from {@code b[off, off+len)}. */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        write(ByteBuffer.wrap(b, off, len));
    }

    /** Buffers one byte. */
    public void write(int b) throws IOException {
        ensureOpen();
        if (buffer == null) {
            buffer = pool.acquire(capacity);
        }
        buffer.set(JAVA_BYTE, count++, (byte) b);
        if (count == capacity) {
            flush();
        }
    }

    /** Sends the buffered bytes in one write of the channel, then gives the buffer back. */
    @Override
    public void flush() throws IOException {
        if (count == 0) {
            return;
        }
        ByteBuffer out = buffer.asSlice(0, count).asByteBuffer();
        try {
            sink.writeAll(out);
        } catch (IOException | RuntimeException e) {
            int sent = out.position();          // exact: the channel's writes advance it by what went out
            MemorySegment.copy(buffer, sent, buffer, 0, count - sent);
            count -= sent;
            throw e;
        }
        count = 0;
        pool.release(buffer);
        buffer = null;
    }

    /** Bytes buffered and not yet sent. */
    public int buffered() {
        return count;
    }

    /** Flushes and gives the buffer back; later writes throw. The channel stays open. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        flush();
        closed = true;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("RingWriter closed");
        }
    }
}
