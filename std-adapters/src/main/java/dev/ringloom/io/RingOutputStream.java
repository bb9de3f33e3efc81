package dev.ringloom.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link OutputStream} over a ringloom channel ({@link dev.ringloom.runtime.RingFile},
 * {@link dev.ringloom.runtime.RingSocket}); every {@code write} returns once all its bytes were written. Over a
 * file it answers as {@code FileOutputStream} does ({@code FileContractTest}); after {@link #close} a write throws
 * {@code IOException("Stream Closed")}.
 *
 * <p>Unbuffered; thread-safety as the channel's. {@code write(int)} allocates nothing. An interrupted write throws
 * {@link InterruptedIOException} whose {@code bytesTransferred} says exactly how many bytes of that call were
 * written, so a caller that retries resends only the rest. Closing the stream closes the channel; {@link #flush()}
 * does nothing (use {@link dev.ringloom.runtime.RingFile#force()} for durability).
 */
public final class RingOutputStream extends OutputStream {
    private final WritableByteChannel channel;
    private final ReentrantLock oneByteLock = new ReentrantLock();
    private final ByteBuffer oneByte = ByteBuffer.allocate(1);     // write(int)'s, under oneByteLock
    private volatile boolean closed;

    /** A stream over {@code channel}, which it closes when closed. */
    public RingOutputStream(WritableByteChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        oneByteLock.lock();
        try {
            writeAll(oneByte.clear().put(0, (byte) b), 0);
        } finally {
            oneByteLock.unlock();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;                     // as FileOutputStream: nothing to write is no error, even closed
        }
        ensureOpen();
        writeAll(ByteBuffer.wrap(b, off, len), off);
    }

    /** All of {@code src}, for {@link RingInputStream#transferTo}: straight from its memory. */
    void write(ByteBuffer src) throws IOException {
        ensureOpen();
        writeAll(src, src.position());
    }

    private void writeAll(ByteBuffer src, int start) throws IOException {
        try {
            while (src.hasRemaining()) {
                channel.write(src);
            }
        } catch (InterruptedIOException e) {
            e.bytesTransferred = src.position() - start;  // the channel moved src past what went out
            throw e;
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("Stream Closed");
        }
    }

    /** Closes the channel; a second close does nothing. */
    @Override
    public void close() throws IOException {
        closed = true;
        channel.close();
    }
}
