package dev.ringloom.runtime;

import dev.ringloom.poller.PollerDeadlockException;
import dev.ringloom.poller.spi.BufferVectors;
import dev.ringloom.poller.spi.SocketIo;
import dev.ringloom.runtime.backend.IoErrors;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A connected TCP socket of a {@link Ringloom} runtime; each call parks the calling thread until its IO completes.
 * Obtain one from {@link Ringloom#connect} or {@link RingServerSocket#accept()}. A byte channel, scattering and
 * gathering: a scattering read takes one receive's bytes, a gathering write sends its slice gathered into one
 * buffer per send.
 *
 * <h2>Threads</h2>
 * Thread-safe. One read and one write may be in progress at a time; further readers (writers) wait their turn,
 * as with {@code java.net.Socket}. At most one receive op is ever in flight on the socket. Any thread may call it;
 * the thread that serves the connection is best started with {@link Ringloom#ofVirtual(RingSocket)}, which
 * schedules it on the poller that reaps the socket's completions, so that they wake it without crossing threads.
 *
 * <h2>Receiving</h2>
 * Where the kernel has them (6.0+), the socket receives through one multishot recv into the poller's provided
 * buffers ({@link dev.ringloom.poller.ProvidedBuffers}): the kernel fills a pooled buffer as data arrives, the
 * socket queues it until a read copies it out, and a socket waiting for data holds no buffer. When the pool runs
 * dry (ENOBUFS) or the kernel lacks multishot recv, a read lends its own buffer to a one-shot recv instead.
 *
 * <h2>Interrupt</h2>
 * An interrupted <b>reader</b> returns promptly with {@link InterruptedIOException} (interrupt status set,
 * nothing consumed) and the socket stays open. With the multishot recv the reader owns no op and no buffer:
 * nothing is cancelled, and bytes the kernel receives meanwhile wait for the next read. With a one-shot recv its
 * op is cancelled in the kernel and its buffer goes to the poller's registry until the op's completion; if the op
 * received bytes anyway, they are the next bytes of the stream and the next read returns them first. Either way
 * none are lost, duplicated or reordered. An interrupted
 * <b>writer</b> cancels its send and waits for the kernel's answer (prompt), then throws
 * {@link InterruptedIOException} whose {@code bytesTransferred} is exactly the number of bytes of that call
 * that went out; no later write can overtake them, because writes are sequential. A call that starts with the
 * interrupt status set throws at once and does nothing.
 *
 * <h2>Timeouts</h2>
 * {@link #setSoTimeout} bounds each read (a timed park on the multishot's queue, or a linked timeout in the kernel
 * for a one-shot recv): on expiry the read throws {@link SocketTimeoutException}, nothing consumed, the socket
 * still usable.
 *
 * <h2>Close</h2>
 * {@link #close()} wakes every thread blocked on the socket with {@code SocketException("Socket closed")},
 * cancels their ops by fd, and closes the fd only after the kernel completed the last of them. A second close
 * is a no-op. With {@code SO_LINGER} above 0, close parks its caller until the unsent bytes are acknowledged or
 * the linger time passed, as with {@code java.net}; that close(2) runs on a thread of its own, so the poller and
 * the other sockets on it are not held up.
 *
 * <h2>On the JDK backend</h2>
 * The same rules. The JDK closes a channel whose blocked caller is interrupted, so the socket's channel is never
 * blocked in: it is in non-blocking mode, read and written by the calling thread, which parks on the backend's
 * readiness selector while the channel is not ready. An interrupted or timed-out read or write therefore owned no op
 * and leaves nothing behind; a write reports exactly what the kernel took.
 *
 * <h2>Where the rules live</h2>
 * This class keeps the socket's rules — the state ladder and "Socket closed", argument and interrupt checks, the
 * timeout, writes taking turns and writing everything — and asks its backend's {@link SocketIo} only for
 * primitives (a read with a deadline, one send, options, shutdown, close-after-drain).
 */
public final class RingSocket implements ByteChannel, ScatteringByteChannel, GatheringByteChannel {
    private final SocketIo io;
    private final ChannelState state = ChannelState.ofSocket();
    private final WriteGate writes = new WriteGate("the socket");
    private final ReentrantLock writeLock = new ReentrantLock();  // writes take turns, so none interleaves another
    private volatile int soTimeoutMillis;   // the backend gets a deadline per read
    private volatile RingReader reader;     // created on first use; reads go through it while it holds bytes

    RingSocket(SocketIo io) {
        this.io = io;
    }

    /**
     * Reads up to {@code dst.remaining()} bytes, parking until at least one arrives.
     *
     * @return bytes read, or -1 at end of stream (the peer shut down its output, or ours was shut down)
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        state.ensureOpen();
        if (!dst.hasRemaining()) {
            return 0;
        }
        RingReader r = reader;
        if (r != null && r.holdsBytes()) {
            return r.read(dst);                 // the bytes it filled come first
        }
        IoErrors.checkNotInterrupted("read", io);
        try {
            return io.read(dst, readTimeoutNanos());
        } catch (IOException e) {
            throw state.closedDuring(e);
        }
    }

    /**
     * This socket's {@link RingReader}: its received bytes where the kernel put them, no copy, and a connection
     * waiting in {@link RingReader#fillBuf()} holds no buffer. The same reader on every call; its reads keep this
     * socket's timeout, interrupt and close rules.
     */
    public RingReader reader() {
        RingReader r = reader;
        if (r == null) {
            synchronized (this) {
                r = reader;
                if (r == null) {
                    reader = r = new RingReader(new ReceivedBytes());
                }
            }
        }
        return r;
    }

    /** The reader's source: the backend's received memory, under this socket's rules. */
    private final class ReceivedBytes implements RingReader.Source {
        @Override
        public MemorySegment fill() throws IOException {
            state.ensureOpen();
            IoErrors.checkNotInterrupted("read", io);
            try {
                return io.fill(readTimeoutNanos());
            } catch (IOException e) {
                throw state.closedDuring(e);
            }
        }

        @Override
        public void consume(int n) {
            io.consume(n);
        }
    }

    /**
     * A scattering read: the bytes of one receive — what is queued, or else the next to arrive, parking until at
     * least one did — into {@code dsts[offset, offset + length)} in order, copied once out of the buffer the kernel
     * received into. The timeout, interrupt and close rules are {@link #read(ByteBuffer)}'s.
     *
     * @return bytes read, or -1 at end of stream
     */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        long room = BufferVectors.check(dsts, offset, length, true);
        state.ensureOpen();
        if (room == 0) {
            return 0;
        }
        return reader().read(dsts, offset, length);
    }

    @Override
    public long read(ByteBuffer[] dsts) throws IOException {
        return read(dsts, 0, dsts.length);
    }

    /** Like {@link #read(ByteBuffer)} into {@code b[off, off+len)}. */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return read(ByteBuffer.wrap(b, off, len));
    }

    /**
     * Writes all of {@code src}.
     *
     * @return the number of bytes written, always {@code src.remaining()} on return
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        state.ensureOpen();
        return (int) writeAll(src, null, 0, 0, src.remaining());
    }

    /**
     * A gathering write of all of {@code srcs[offset, offset + length)}, in order: one send per up to 1 MiB of it,
     * gathered into one pooled buffer. The interrupt rule is {@link #write(ByteBuffer)}'s: the buffers advance by
     * exactly the bytes that went out, which {@link InterruptedIOException#bytesTransferred} counts.
     *
     * @return the bytes written, all the slice had
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long data = BufferVectors.check(srcs, offset, length, false);
        state.ensureOpen();
        return writeAll(null, srcs, offset, length, data);
    }

    /**
     * Sends all {@code data} bytes of {@code src} or (null) the slice, taking its turn among writers; an interrupt
     * between or during sends throws with the exact count of what this call wrote.
     */
    private long writeAll(ByteBuffer src, ByteBuffer[] srcs, int offset, int length, long data) throws IOException {
        writeLock.lock();
        try {
            writes.check(io);
            long total = 0;
            while (total < data) {
                if (Thread.currentThread().isInterrupted()) {
                    throw IoErrors.interrupted((src != null ? "write(" : "writev(") + io + ")", clamp(total));
                }
                try {
                    total += src != null ? io.write(src) : io.write(srcs, offset, length);
                } catch (InterruptedIOException e) {
                    e.bytesTransferred = clamp(e.bytesTransferred + total);  // exact: earlier sends and this one
                    throw e;
                } catch (PollerDeadlockException e) {
                    writes.shut(e);                 // the abandoned send may still go out: no write may overtake it
                    throw e;
                } catch (IOException e) {
                    throw state.closedDuring(e);
                }
            }
            return total;
        } finally {
            writeLock.unlock();
        }
    }

    /** A count for {@link InterruptedIOException#bytesTransferred}, an int. */
    private static int clamp(long n) {
        return (int) Math.min(n, Integer.MAX_VALUE);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    /**
     * Reads into {@code buf} (from its start) and gives it back with the bytes as its data: {@link IoBuffer#length()}
     * 0 at end of stream. The bytes are copied out of the receive buffers; for no copy at all, use
     * {@link #reader()}. The rules of {@link #read(ByteBuffer)} apply; on any failure the buffer comes back empty.
     */
    public IoBuffer read(IoBuffer buf) throws IOException {
        Objects.requireNonNull(buf, "buf");
        MemorySegment memory = buf.lend();
        int n;
        try {
            n = read(memory.asByteBuffer());
        } catch (IOException | RuntimeException | Error e) {
            buf.giveBack(0);
            throw e;
        }
        return buf.giveBack(Math.max(n, 0));
    }

    /**
     * Writes all of {@code buf}'s data from the buffer itself (no copy) and gives it back. An interrupted write
     * gives it back too, its {@link InterruptedIOException} counting what went out. After a
     * {@link PollerDeadlockException} the send may still read the memory: the buffer then never comes back (it is
     * left allocated, never reused), and the socket refuses further writes.
     */
    public IoBuffer write(IoBuffer buf) throws IOException {
        Objects.requireNonNull(buf, "buf");
        int length = buf.length();
        MemorySegment memory = buf.lend();
        try {
            write(memory.asSlice(0, length).asByteBuffer());
        } catch (PollerDeadlockException abandoned) {
            throw abandoned;
        } catch (IOException | RuntimeException | Error e) {
            buf.giveBack(length);
            throw e;
        }
        return buf.giveBack(length);
    }

    /** Like {@link #write(ByteBuffer)} from {@code b[off, off+len)}. */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        write(ByteBuffer.wrap(b, off, len));
    }

    /**
     * Bounds every later read: 0 (the default) waits forever.
     *
     * @throws IllegalArgumentException if {@code millis} is negative
     * @throws SocketException          "Socket closed" after close
     */
    public void setSoTimeout(int millis) throws SocketException {
        if (millis < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        if (!state.isOpen()) {
            throw new SocketException("Socket closed");
        }
        soTimeoutMillis = millis;
    }

    /** {@code SO_TIMEOUT} as the backend's per-read deadline: 0 waits forever. */
    private long readTimeoutNanos() {
        return TimeUnit.MILLISECONDS.toNanos(soTimeoutMillis);
    }

    public int getSoTimeout() {
        return soTimeoutMillis;
    }

    public <T> RingSocket setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        state.guarded(() -> io.setOption(option, value));
        return this;
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        return state.guarded(() -> io.getOption(option));
    }

    /**
     * Bytes that a read would return without waiting: those the reader holds and those received and queued (an
     * estimate, as {@link java.io.InputStream#available()} is); 0 at end of stream.
     *
     * @throws SocketException "Socket closed" after close
     */
    public int available() throws IOException {
        state.ensureOpen();
        RingReader r = reader;
        // The socket counts the reader's fill, used or not, until its last byte is used; the unused part is the
        // reader's to show, so only what the reader used already is not available.
        long used = r == null ? 0 : r.consumedUntold();
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, io.available() - used));
    }

    /** Disables further reads: a blocked and every later read returns -1. */
    public void shutdownInput() throws IOException {
        state.guarded(io::shutdownInput);
    }

    /** Sends FIN after the data written so far; later writes fail. */
    public void shutdownOutput() throws IOException {
        state.guarded(io::shutdownOutput);
    }

    public InetSocketAddress localAddress() throws IOException {
        return state.guarded(io::localAddress);
    }

    public InetSocketAddress remoteAddress() throws IOException {
        return state.guarded(io::remoteAddress);
    }

    @Override
    public boolean isOpen() {
        return state.isOpen();
    }

    /** Wakes blocked threads, cancels the socket's ops, closes the socket after their last completion. */
    @Override
    public void close() throws IOException {
        state.close(io);
    }

    /** Test hook: reads that lent their own buffer because the provided buffers ran out (io_uring only). */
    long oneShotReads() {
        return io.receiveState().ownBufferReads();
    }

    /** Test hook: reads whose bytes waited in the kernel and were taken with a direct recv (io_uring only). */
    long directReads() {
        return io.receiveState().directReads();
    }

    /** Test hook: true while the socket's multishot recv is in flight. */
    boolean receiving() {
        return io.receiveState().armed();
    }

    /** Test hook: true if the socket receives through a multishot recv into provided buffers. */
    boolean receivesIntoProvidedBuffers() {
        return io.receiveState().pooled();
    }

    @Override
    public String toString() {
        return "RingSocket[" + io + ", " + state + "]";
    }

    /** The backend's scheduler next to this socket's completions, or null ({@link Ringloom#ofVirtual(RingSocket)}). */
    Executor scheduler() {
        return io.scheduler();
    }
}
