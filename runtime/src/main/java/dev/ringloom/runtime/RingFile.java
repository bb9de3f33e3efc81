package dev.ringloom.runtime;

import dev.ringloom.poller.spi.FileIo;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.Objects;

/**
 * An open file, pipe or FIFO of a {@link Ringloom} runtime; each call parks the calling thread (virtual or
 * platform) until its IO completes — an io_uring op, or on the JDK backend a JDK channel call on a helper thread. It is a {@link SeekableByteChannel}, so NIO code can use it
 * as is (on a pipe the position methods throw {@link UnsupportedOperationException}).
 *
 * <h2>Threads</h2>
 * Thread-safe. Positional reads and writes run concurrently. Sequential ones (at the file position) take turns,
 * as in {@link java.nio.channels.FileChannel}. A <em>stream</em> (pipe, FIFO: {@link #isStream()}) has no
 * position: its reads take turns and at most one read is in flight; its writes take turns likewise.
 *
 * <h2>Interrupt</h2>
 * Unlike {@code FileChannel}, an interrupt never closes the file. A thread interrupted while it waits for a
 * <b>read</b> returns at once with {@link InterruptedIOException} (interrupt status set, nothing consumed): the
 * op is cancelled in the kernel and its buffer is held by the poller's registry until the kernel completes
 * it. On a file the position does not move, so the same bytes are read again next time; on a stream, bytes
 * the cancelled read received anyway are returned first by the next read. A thread interrupted during a
 * <b>write</b> cancels it and then waits for the kernel's answer (prompt for pipes), so the
 * {@link InterruptedIOException#bytesTransferred} it throws is exact: those bytes were written, no others.
 * A call that starts with the interrupt status set throws at once and does nothing.
 *
 * <h2>Close</h2>
 * {@link #close()} cancels every op in flight on the file — their threads wake with
 * {@link java.nio.channels.AsynchronousCloseException} — and closes the fd only after the kernel completed the
 * last of them, so a new file that gets the same fd number never sees a stale completion. A second close is
 * a no-op; other calls after close throw {@link ClosedChannelException}.
 *
 * <h2>On the JDK backend</h2>
 * The same rules hold, with the JDK's channels doing the IO on helper virtual threads that are never
 * interrupted: an interrupted caller leaves, the helper finishes into its own buffer, and a pipe's next read
 * returns those bytes first. One difference, for want of a kernel cancel: an interrupted <b>pipe writer</b>
 * returns at once while a helper finishes the piece (up to 64 KiB) it was handed; that piece counts in its exact
 * {@code bytesTransferred}, and it goes out before the next write starts.
 * {@link RingOpenOption#DIRECT} is refused with {@link UnsupportedOperationException}.
 */
public final class RingFile implements SeekableByteChannel {
    private final FileIo io;

    RingFile(FileIo io) {
        this.io = io;
    }

    /** The path, or a description for pipes. */
    public String name() {
        return io.name();
    }

    /** True for pipes and FIFOs, which have no position. */
    public boolean isStream() {
        return io.isStream();
    }

    @Override
    public boolean isOpen() {
        return io.isOpen();
    }

    /** Reads at the position (or from the stream), advancing it; -1 at end. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkWritable(dst);
        return io.read(dst);
    }

    // The argument rules are the facade's, the same on every backend; the backends keep the state rules.
    private static void checkWritable(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    private static long checkPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("Negative position: " + position);
        }
        return position;
    }

    /** Like {@link #read(ByteBuffer)} into {@code b[off, off+len)}. */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return io.read(ByteBuffer.wrap(b, off, len));
    }

    /** Reads at {@code position} without moving the file position; -1 at or past the end. */
    public int read(ByteBuffer dst, long position) throws IOException {
        checkWritable(dst);
        return io.read(dst, checkPosition(position));
    }

    /** Writes at the position (or to the stream), advancing it. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        return io.write(src);
    }

    /** Like {@link #write(ByteBuffer)} from {@code b[off, off+len)}. */
    public int write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return io.write(ByteBuffer.wrap(b, off, len));
    }

    /** Writes all of {@code src}, looping over short writes. */
    public void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            io.write(src);
        }
    }

    /** Writes at {@code position} without moving the file position. */
    public int write(ByteBuffer src, long position) throws IOException {
        return io.write(src, checkPosition(position));
    }

    @Override
    public long position() throws IOException {
        return io.position();
    }

    @Override
    public RingFile position(long newPosition) throws IOException {
        io.position(checkPosition(newPosition));
        return this;
    }

    @Override
    public long size() throws IOException {
        return io.size();
    }

    @Override
    public RingFile truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("Negative size: " + size);
        }
        io.truncate(size);
        return this;
    }

    /** Flushes data and metadata to the device ({@code fsync}). */
    public void force() throws IOException {
        io.force();
    }

    /** Cancels ops in flight (their threads wake with AsynchronousCloseException), then closes. Idempotent. */
    @Override
    public void close() throws IOException {
        io.close();
    }

    /**
     * Test hook: stream bytes that given-up reads received anyway and later reads returned; -1 where readers own
     * no read op an interrupt could leave behind (the JDK backend's read pump).
     */
    long rescuedBytes() {
        return io.rescuedBytes();
    }

    FileIo io() {
        return io;
    }

    @Override
    public String toString() {
        return io.toString();
    }
}
