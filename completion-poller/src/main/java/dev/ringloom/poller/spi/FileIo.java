package dev.ringloom.poller.spi;

import java.io.Closeable;
import dev.ringloom.poller.BufferOwner;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The IO primitives of one open file or pipe end of an {@link IoBackend}. The channel's rules — open or closed,
 * readable or writable, the sequential position and append, argument checks, the interrupt check at entry — are
 * the runtime's ({@code RingFile}), written once for every backend; a backend does the IO and keeps the
 * ownership rules of this package.
 *
 * <h2>What the caller guarantees</h2>
 * A buffer passed in has room ({@code remaining() > 0}; a read's is writable); the calling thread was not
 * interrupted when it called; a position is {@code >= 0}, or {@link #CURRENT_POSITION} for a stream and for a
 * write to a file opened for {@link FileMode#append() append}; {@link #force}, {@link #size} and {@link #truncate}
 * are called for files only; {@link #close} is called once. A call that a close overtakes may fail with any
 * {@link IOException}: the caller reports it as an asynchronous close.
 *
 * <h2>Threads</h2>
 * Thread-safe. Positional calls may overlap. A stream's reads take turns inside the backend (at most one read in
 * flight, so an abandoned read's bytes go to the next reader); the caller serialises sequential writes.
 */
public interface FileIo extends Closeable {
    /** The position of a read or write at the stream, or of a write at the end of an append-mode file. */
    long CURRENT_POSITION = -1L;

    /** The most one scattering or gathering call moves through the default methods' heap buffer. */
    int VECTOR_STAGING_MAX = 1 << 20;

    /** The path, or a description for pipes. */
    String name();

    /** What the file allows, as opened. */
    FileMode mode();

    /** True for pipes and FIFOs: no positions; reads keep the stream's no-loss rule across interrupts. */
    boolean isStream();

    /**
     * One read of at most {@code dst.remaining()} bytes (a backend may read fewer) at {@code position}; parks until
     * it completes. On interrupt: {@link java.io.InterruptedIOException}, nothing consumed — on a stream, bytes the
     * given-up read receives anyway are returned first by the next read.
     *
     * @return bytes read, -1 at or past the end
     */
    int read(ByteBuffer dst, long position) throws IOException;

    /**
     * One write of at most {@code src.remaining()} bytes at {@code position}; advances {@code src} by the bytes
     * written. On interrupt: {@link java.io.InterruptedIOException} whose {@code bytesTransferred} is exactly what
     * this call wrote.
     */
    int write(ByteBuffer src, long position) throws IOException;

    /**
     * {@link #read(ByteBuffer, long)} into {@code dsts[offset, offset + length)} in order, as one op (the caller
     * checked the slice and that it has room). The default reads into one heap buffer and scatters it; a backend
     * that copies anyway does better to scatter straight from its own buffer.
     *
     * @return bytes read, -1 at or past the end
     */
    default long read(ByteBuffer[] dsts, int offset, int length, long position) throws IOException {
        ByteBuffer staging = ByteBuffer.allocate(
                (int) Math.min(BufferVectors.remaining(dsts, offset, length), VECTOR_STAGING_MAX));
        int n = read(staging, position);
        if (n > 0) {
            BufferVectors.scatter(MemorySegment.ofBuffer(staging.flip()), n, dsts, offset, length);
        }
        return n;
    }

    /**
     * {@link #write(ByteBuffer, long)} from {@code srcs[offset, offset + length)} in order, as one op (the caller
     * checked the slice and that it has data); advances the buffers by the bytes written, also when an interrupt
     * cut it short. The default gathers into one heap buffer.
     */
    default long write(ByteBuffer[] srcs, int offset, int length, long position) throws IOException {
        ByteBuffer staging = BufferVectors.gathered(srcs, offset, length, VECTOR_STAGING_MAX);
        return BufferVectors.advancing(srcs, offset, length, () -> write(staging, position));
    }

    /**
     * One positional read of up to {@code memory}'s size into {@code memory} itself, which the call lends to the
     * kernel (no copy); not for streams. Returns, or throws any exception but the two below, with the memory back
     * in the caller's hands. If the wait is abandoned — {@link java.io.InterruptedIOException},
     * {@link dev.ringloom.poller.PollerDeadlockException} — the memory stays lent: {@code ifAbandoned} gets it once
     * the kernel is done with it.
     *
     * @return bytes read, -1 at or past the end
     */
    int readLent(MemorySegment memory, long position, BufferOwner ifAbandoned) throws IOException;

    /**
     * One positional (or, with {@link #CURRENT_POSITION}, appending) write of up to {@code memory}'s size from
     * {@code memory} itself, lent as for {@link #readLent}. On interrupt the write is cancelled and waited for:
     * {@link java.io.InterruptedIOException} whose {@code bytesTransferred} is exact, the memory back.
     *
     * @return bytes written
     */
    int writeLent(MemorySegment memory, long position, BufferOwner ifAbandoned) throws IOException;

    /** Flushes the file's data and metadata to the device ({@code fsync}). */
    void force() throws IOException;

    /** The file's size now. */
    long size() throws IOException;

    /** Sets the file's size ({@code ftruncate}); the caller decides whether it should. */
    void truncate(long size) throws IOException;

    /**
     * Cancels every op in flight on the file (their callers wake), and releases the handle only after the last
     * of them completed. Called once.
     */
    @Override
    void close() throws IOException;

    /**
     * For streams: bytes that reads given up on (interrupt, timeout) received anyway and later reads returned, for
     * tests and metrics; -1 where no read a caller gives up can still receive (the default).
     */
    default long rescuedBytes() {
        return -1;
    }
}
