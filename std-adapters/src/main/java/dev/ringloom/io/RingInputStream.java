package dev.ringloom.io;

import dev.ringloom.runtime.RingFile;
import dev.ringloom.runtime.RingSocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link InputStream} over a ringloom channel ({@link dev.ringloom.runtime.RingFile},
 * {@link dev.ringloom.runtime.RingSocket}), for java.io code that should run on ringloom.
 *
 * <p>Over a file it answers as {@code FileInputStream} does ({@code FileContractTest} holds the two to one
 * transcript): {@link #skip} moves the file position — backwards for a negative count, past the end if asked —
 * {@link #available} is the bytes past the position, and after {@link #close} the calls throw
 * {@code IOException("Stream Closed")}. One difference, on purpose: {@code FileInputStream}'s {@code skip} and
 * {@code readAllBytes} after close say "Bad file descriptor"; here every call says "Stream Closed".
 *
 * <p>Unbuffered: each {@code read} is one channel read (wrap it in a {@code BufferedInputStream} for
 * byte-at-a-time readers, or read a socket through {@link RingSocket#reader()}, which is buffered by the kernel's
 * own receive buffers). {@code read()} allocates nothing. Thread-safety and interrupt behaviour are the channel's:
 * an interrupted read throws {@link java.io.InterruptedIOException} and consumes nothing. Closing the stream closes
 * the channel.
 */
public final class RingInputStream extends InputStream {
    private final ReadableByteChannel channel;
    private final ReentrantLock oneByteLock = new ReentrantLock();
    private final ByteBuffer oneByte = ByteBuffer.allocate(1);     // read()'s, under oneByteLock: no allocation
    private static final int TRANSFER_CHUNK = 1 << 20;
    private volatile boolean closed;

    /** A stream over {@code channel}, which it closes when closed. */
    public RingInputStream(ReadableByteChannel channel) {
        this.channel = Objects.requireNonNull(channel, "channel");
    }

    @Override
    public int read() throws IOException {
        ensureOpen();
        oneByteLock.lock();
        try {
            int n = readSome(oneByte.clear());
            return n < 0 ? -1 : oneByte.get(0) & 0xFF;
        } finally {
            oneByteLock.unlock();
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        ensureOpen();
        return readSome(ByteBuffer.wrap(b, off, len));
    }

    /** One channel read; ringloom's channels block until a byte arrives, so none returns 0 for room left. */
    private int readSome(ByteBuffer dst) throws IOException {
        int n = channel.read(dst);
        if (n == 0) {
            throw new IOException(channel + " returned no bytes from a blocking read");
        }
        return n;
    }

    /**
     * Over a file, moves the position by {@code n} as {@code FileInputStream} does — past the end if asked,
     * backwards if negative — and returns {@code n}; a position it would make negative is refused with
     * {@code IOException("Invalid argument")} (lseek's EINVAL). Over other channels, reads and discards.
     */
    @Override
    public long skip(long n) throws IOException {
        ensureOpen();
        if (channel instanceof RingFile f && !f.isStream()) {
            long target = f.position() + n;
            if (target < 0) {
                throw new IOException("Invalid argument");
            }
            f.position(target);
            return n;
        }
        return super.skip(n);
    }

    /**
     * Copies the rest of the stream to {@code out}. Into another ringloom stream it goes through one 1 MiB native
     * buffer that both channels use as it is: a cached file read lands in it directly (no copy through the heap) and
     * a socket sends from it directly, so a file to a socket moves no byte through Java code and a file to a file
     * one copy (measured in {@code TransferToBenchmark}). Into any other stream, {@link InputStream#transferTo}'s.
     */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        ensureOpen();
        if (!(out instanceof RingOutputStream ring)) {
            return super.transferTo(out);
        }
        // Confined and freed on return: neither channel keeps caller memory past its call (a read lands in it
        // only synchronously, a send is always waited for).
        try (Arena arena = Arena.ofConfined()) {
            ByteBuffer chunk = arena.allocate(TRANSFER_CHUNK, 4096).asByteBuffer();
            long total = 0;
            for (int n; (n = readSome(chunk.clear())) > 0; total += n) {
                ring.write(chunk.flip());
            }
            return total;
        }
    }

    /**
     * What a read returns without waiting: a socket's received bytes ({@link RingSocket#available()}), a file's bytes
     * past its position (as {@code FileInputStream}'s); 0 for other channels.
     */
    @Override
    public int available() throws IOException {
        ensureOpen();
        if (channel instanceof RingSocket s) {
            return s.available();
        }
        if (channel instanceof RingFile f && !f.isStream()) {
            return (int) Math.min(Integer.MAX_VALUE, Math.max(0, f.size() - f.position()));
        }
        return 0;
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
