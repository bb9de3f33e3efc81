package dev.ringloom.runtime;

import dev.ringloom.poller.PollerDeadlockException;
import dev.ringloom.poller.spi.BufferVectors;
import dev.ringloom.poller.spi.FileIo;
import dev.ringloom.poller.spi.FileMode;
import dev.ringloom.runtime.backend.IoErrors;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An open file, pipe or FIFO of a {@link Ringloom} runtime; each call parks the calling thread (virtual or
 * platform) until its IO completes — an io_uring op, or on the JDK backend a JDK channel call on a helper thread.
 * It is a {@link SeekableByteChannel}, {@link ScatteringByteChannel} and {@link GatheringByteChannel} with
 * {@code FileChannel}'s answers (held to them by std-adapters' {@code FileContractTest}), so NIO code can use it as
 * is; a scattering read or gathering write is one op for the whole slice. On a pipe the position methods throw
 * {@link UnsupportedOperationException}.
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
 * A call that starts with the interrupt status set throws at once and does nothing. A read the page cache answers
 * and a write into the page cache (a file on ext4, xfs, btrfs or tmpfs) are copies on the calling thread, which an
 * interrupt does not cut short: the call returns what it copied, the status stays set, and the next call throws.
 *
 * <h2>Close</h2>
 * {@link #close()} cancels every op in flight on the file — their threads wake with
 * {@link java.nio.channels.AsynchronousCloseException} — and closes the fd only after the kernel completed the
 * last of them, so a new file that gets the same fd number never sees a stale completion. A second close is
 * a no-op; other calls after close throw {@link ClosedChannelException}.
 *
 * <h2>On the JDK backend</h2>
 * The same rules hold, with two differences for want of a kernel cancel. A file's reads, writes and syncs run on
 * the caller through a {@code FileChannel} made to ignore interrupts, as the JDK's own internal channels are (this
 * needs {@code --add-exports java.base/sun.nio.ch=<ringloom's module or ALL-UNNAMED>}; without it they run on helper
 * virtual threads, a read-only file's reads on the caller one at a time, and one INFO line says so): an interrupt
 * lets the read or write under way finish — a read then returns its bytes, the status stays set and the next call
 * throws — instead of cutting it short. On a pipe an interrupted reader returns at once, losing nothing; an
 * interrupted <b>pipe writer</b> returns at once while the piece (up to 64 KiB) it had handed on finishes; that
 * piece counts in its exact {@code bytesTransferred}, and it goes out before the next write starts.
 * {@link RingOpenOption#DIRECT} is refused with {@link UnsupportedOperationException}.
 *
 * <h2>Where the rules live</h2>
 * This class keeps every channel rule — the state ladder, modes, the position and append, argument and interrupt
 * checks, a write refused after one whose outcome is unknown — and hands its backend's {@link FileIo} only
 * primitives (one positional or stream read or write, fsync, size, ftruncate, close-after-drain), so the backends
 * cannot disagree on them.
 */
public final class RingFile implements SeekableByteChannel, ScatteringByteChannel, GatheringByteChannel {
    private final FileIo io;
    private final FileMode mode;
    private final boolean stream;
    private final ChannelState state = ChannelState.ofFile();
    private final WriteGate writes = new WriteGate("the file");
    private final ReentrantLock positionLock = new ReentrantLock();  // sequential reads and writes take turns
    private long position;                                             // guarded by positionLock

    RingFile(FileIo io) {
        this.io = io;
        this.mode = io.mode();
        this.stream = io.isStream();
    }

    /** The path, or a description for pipes. */
    public String name() {
        return io.name();
    }

    /** True for pipes and FIFOs, which have no position. */
    public boolean isStream() {
        return stream;
    }

    @Override
    public boolean isOpen() {
        return state.isOpen();
    }

    // ---------------------------------------------------------------- reads

    /**
     * A new {@link RingReader} over this file from its position on: it reads ahead into a 64 KiB buffer of its own
     * (so the file's position runs ahead of what the reader consumed) and gives {@code readLine} and
     * {@code readUntil} their no-loss rules. Sequential reads of the file should all go through it.
     */
    public RingReader reader() {
        return new RingReader(new ReadAhead());
    }

    /** A file reader's source: sequential reads into a buffer it owns. */
    private final class ReadAhead implements RingReader.Source {
        private static final int SIZE = 64 * 1024;
        private ByteBuffer buffer;              // filled bytes between position and limit

        @Override
        public MemorySegment fill() throws IOException {
            if (buffer == null) {
                buffer = ByteBuffer.allocateDirect(SIZE).limit(0);
            }
            if (!buffer.hasRemaining()) {
                buffer.clear();
                int n;
                try {
                    n = read(buffer);
                } finally {
                    buffer.flip();
                }
                if (n < 0) {
                    return null;
                }
            }
            return MemorySegment.ofBuffer(buffer);
        }

        @Override
        public void consume(int n) {
            buffer.position(buffer.position() + n);
        }
    }

    /** Reads at the position (or from the stream), advancing it; -1 at end. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkWritable(dst);
        checkReadable();
        if (!dst.hasRemaining()) {
            return 0;
        }
        IoErrors.checkNotInterrupted("read", io.name());
        return (int) sequentialRead(dst, null, 0, 0);
    }

    /**
     * A scattering read at the position (or from the stream), advancing it: one read op for the whole slice, its
     * bytes filling {@code dsts[offset, offset + length)} in order (up to 1 MiB per call; fewer is allowed, as for
     * any read). The interrupt and close rules are {@link #read(ByteBuffer)}'s.
     *
     * @return bytes read, -1 at end
     */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long room = BufferVectors.check(dsts, offset, length, true);
        checkReadable();
        if (room == 0) {
            return 0;
        }
        IoErrors.checkNotInterrupted("readv", io.name());
        return sequentialRead(null, dsts, offset, length);
    }

    @Override
    public long read(ByteBuffer[] dsts) throws IOException {
        return read(dsts, 0, dsts.length);
    }

    /** A read at the position into {@code dst} or (null) the slice, moving the position by what it delivered. */
    private long sequentialRead(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length) throws IOException {
        if (stream) {
            return readAt(dst, dsts, offset, length, FileIo.CURRENT_POSITION);
        }
        positionLock.lock();
        try {
            long n;
            try {
                n = readAt(dst, dsts, offset, length, position);
            } catch (InterruptedIOException e) {
                position += e.bytesTransferred;     // the position follows the bytes on every exit (PITFALLS 14)
                throw e;
            }
            if (n > 0) {
                position += n;
            }
            return n;
        } finally {
            positionLock.unlock();
        }
    }

    /** Like {@link #read(ByteBuffer)} into {@code b[off, off+len)}. */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return read(ByteBuffer.wrap(b, off, len));
    }

    /** Reads at {@code position} without moving the file position; -1 at or past the end. */
    public int read(ByteBuffer dst, long position) throws IOException {
        checkWritable(dst);
        checkPosition(position);
        checkReadable();
        checkSeekable();
        if (!dst.hasRemaining()) {
            return 0;
        }
        IoErrors.checkNotInterrupted("pread", io.name());
        return (int) readAt(dst, null, 0, 0, position);
    }

    private long readAt(ByteBuffer dst, ByteBuffer[] dsts, int offset, int length, long pos) throws IOException {
        try {
            return dst != null ? io.read(dst, pos) : io.read(dsts, offset, length, pos);
        } catch (IOException e) {
            throw state.closedDuring(e);
        }
    }

    // ---------------------------------------------------------------- writes

    /** Writes at the position (at the end in append mode; to the stream), advancing it. */
    @Override
    public int write(ByteBuffer src) throws IOException {
        checkWritable();
        if (!src.hasRemaining()) {
            return 0;
        }
        IoErrors.checkNotInterrupted("write", io.name());
        return (int) sequentialWrite(src, null, 0, 0);
    }

    /**
     * A gathering write at the position (at the end in append mode; to the stream), advancing it: one write op
     * for {@code srcs[offset, offset + length)} in order (up to 1 MiB per call; the buffers advance by what it
     * wrote). The interrupt rule is {@link #write(ByteBuffer)}'s.
     *
     * @return bytes written
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long data = BufferVectors.check(srcs, offset, length, false);
        checkWritable();
        if (data == 0) {
            return 0;
        }
        IoErrors.checkNotInterrupted("writev", io.name());
        return sequentialWrite(null, srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    /** A write at the position from {@code src} or (null) the slice, moving the position by what it wrote. */
    private long sequentialWrite(ByteBuffer src, ByteBuffer[] srcs, int offset, int length) throws IOException {
        positionLock.lock();
        try {
            if (stream || mode.append()) {
                return writeAt(src, srcs, offset, length, FileIo.CURRENT_POSITION);
            }
            long n;
            try {
                n = writeAt(src, srcs, offset, length, position);
            } catch (InterruptedIOException e) {
                position += e.bytesTransferred;     // the position follows the bytes on every exit (PITFALLS 14)
                throw e;
            }
            position += n;
            return n;
        } finally {
            positionLock.unlock();
        }
    }

    /** Like {@link #write(ByteBuffer)} from {@code b[off, off+len)}. */
    public int write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return write(ByteBuffer.wrap(b, off, len));
    }

    /** Writes all of {@code src}, looping over short writes. */
    public void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            write(src);
        }
    }

    /** Writes at {@code position} without moving the file position. */
    public int write(ByteBuffer src, long position) throws IOException {
        checkPosition(position);
        checkWritable();
        checkSeekable();
        if (!src.hasRemaining()) {
            return 0;
        }
        IoErrors.checkNotInterrupted("pwrite", io.name());
        return (int) writeAt(src, null, 0, 0, position);
    }

    private long writeAt(ByteBuffer src, ByteBuffer[] srcs, int offset, int length, long pos) throws IOException {
        writes.check(io.name());
        try {
            return src != null ? io.write(src, pos) : io.write(srcs, offset, length, pos);
        } catch (PollerDeadlockException e) {
            writes.shut(e);                 // the abandoned write may still land: later writes could be overwritten
            throw e;
        } catch (IOException e) {
            throw state.closedDuring(e);
        }
    }

    // ---------------------------------------------------------------- owned buffers

    /**
     * Reads at {@code position} into {@code buf} itself — the kernel writes the buffer, no copy — without moving the
     * file position; the buffer comes back with its data ({@link IoBuffer#length()}: 0 at or past the end).
     * Interrupted ({@link InterruptedIOException}) once the read is in the kernel, the read is abandoned and
     * {@code buf} does not come back: it is released once the kernel is done with it. An interrupt status set before
     * the call, and any other failure, leave it the caller's ({@link IoBuffer#isOwned()} tells which).
     */
    public IoBuffer read(IoBuffer buf, long position) throws IOException {
        Objects.requireNonNull(buf, "buf");
        checkPosition(position);
        checkReadable();
        checkSeekable();
        IoErrors.checkNotInterrupted("pread", io.name());
        MemorySegment memory = buf.lend();
        int n;
        try {
            n = io.readLent(memory, position, buf.whenAbandoned());
        } catch (InterruptedIOException | PollerDeadlockException abandoned) {
            throw state.closedDuring(abandoned);          // buf stays lent until the read's completion
        } catch (IOException e) {
            buf.giveBack(0);
            throw state.closedDuring(e);
        } catch (RuntimeException | Error e) {
            buf.giveBack(0);
            throw e;
        }
        return buf.giveBack(Math.max(n, 0));
    }

    /**
     * Writes {@code buf}'s data at {@code position} from the buffer itself, without moving the file position; the
     * buffer comes back, also when interrupted (the write is cancelled and waited for, and the
     * {@link InterruptedIOException} counts the bytes that landed).
     *
     * @return the bytes written, perhaps fewer than the data (as {@link #write(ByteBuffer, long)})
     */
    public int write(IoBuffer buf, long position) throws IOException {
        Objects.requireNonNull(buf, "buf");
        checkPosition(position);
        checkWritable();
        checkSeekable();
        int length = buf.length();
        if (length == 0) {
            return 0;
        }
        IoErrors.checkNotInterrupted("pwrite", io.name());
        writes.check(io.name());
        MemorySegment memory = buf.lend();
        int n;
        try {
            n = io.writeLent(memory.asSlice(0, length), position, buf.whenAbandoned());
        } catch (PollerDeadlockException abandoned) {
            writes.shut(abandoned);                        // buf stays lent: the write may still land
            throw abandoned;
        } catch (IOException e) {
            buf.giveBack(length);                          // an interrupted write was waited for: buf is back
            throw state.closedDuring(e);
        } catch (RuntimeException | Error e) {
            buf.giveBack(length);
            throw e;
        }
        buf.giveBack(length);
        return n;
    }

    // ---------------------------------------------------------------- the rest

    /** The file position; in append mode, the file's size (where the next write goes). */
    @Override
    public long position() throws IOException {
        ensureOpen();
        checkSeekable();
        if (mode.append()) {
            return size();
        }
        positionLock.lock();
        try {
            return position;
        } finally {
            positionLock.unlock();
        }
    }

    /** Sets the file position; beyond the end, reads return -1 and writes extend the file. */
    @Override
    public RingFile position(long newPosition) throws IOException {
        checkPosition(newPosition);
        ensureOpen();
        checkSeekable();
        positionLock.lock();
        try {
            position = newPosition;
        } finally {
            positionLock.unlock();
        }
        return this;
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        checkSeekable();
        try {
            return io.size();
        } catch (IOException e) {
            throw state.closedDuring(e);
        }
    }

    /** Cuts the file to {@code size} if it is larger (else no change); a position beyond it moves to it. */
    @Override
    public RingFile truncate(long size) throws IOException {
        if (size < 0) {
            throw new IllegalArgumentException("Negative size: " + size);
        }
        checkWritable();
        checkSeekable();
        try {
            if (size < io.size()) {
                io.truncate(size);
            }
        } catch (IOException e) {
            throw state.closedDuring(e);
        }
        positionLock.lock();
        try {
            position = Math.min(position, size);
        } finally {
            positionLock.unlock();
        }
        return this;
    }

    /**
     * Flushes data and metadata to the device ({@code fsync}). On a stream there is no device between the ends:
     * a no-op.
     */
    public void force() throws IOException {
        ensureOpen();
        if (stream) {
            return;
        }
        IoErrors.checkNotInterrupted("fsync", io.name());
        try {
            io.force();
        } catch (IOException e) {
            throw state.closedDuring(e);
        }
    }

    /** Cancels ops in flight (their threads wake with AsynchronousCloseException), then closes. Idempotent. */
    @Override
    public void close() throws IOException {
        state.close(io);
    }

    // ---------------------------------------------------------------- rules

    // Argument rules come before state rules, as in FileChannel.
    private static void checkWritable(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    private static void checkPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("Negative position: " + position);
        }
    }

    private void ensureOpen() throws IOException {
        state.ensureOpen();
    }

    private void checkReadable() throws IOException {
        ensureOpen();
        if (!mode.readable()) {
            throw new NonReadableChannelException();
        }
    }

    private void checkWritable() throws IOException {
        ensureOpen();
        if (!mode.writable()) {
            throw new NonWritableChannelException();
        }
    }

    private void checkSeekable() {
        if (stream) {
            throw new UnsupportedOperationException(io.name() + " is a stream and has no position");
        }
    }

    /**
     * Test hook: stream bytes that given-up reads received anyway and later reads returned; -1 where readers own
     * no read op an interrupt could leave behind (the JDK backend's non-blocking pipe reads).
     */
    long rescuedBytes() {
        return io.rescuedBytes();
    }

    @Override
    public String toString() {
        return "RingFile[" + io + ", " + state + "]";
    }
}
