package dev.ringloom.runtime;

import dev.ringloom.poller.spi.BufferVectors;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.net.SocketTimeoutException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A buffered reader whose buffer is the memory the kernel received into — in the manner of Rust's {@code BufRead}:
 * {@link #fillBuf()} shows the next received bytes where they are, {@link #consume} says how many of them were
 * used. On a socket with io_uring the bytes are in the poller's provided buffers: no copy is made, and a
 * connection waiting in {@code fillBuf} holds no buffer at all — the kernel picks one only when data arrives.
 * Obtain one from {@link RingSocket#reader()} or {@link RingFile#reader()}.
 *
 * <h2>Ownership of the bytes</h2>
 * The view {@code fillBuf} returns is read-only and stays valid until {@link #consume} has consumed all of it (or
 * the channel closes): then its memory goes back to the kernel, which may receive into it again, so a view must
 * not be kept past that. A reader holds the buffers of what it filled and what is queued behind it; on a socket
 * that is bounded — once {@code RingSocket}'s receive queue is full (16 buffers) the kernel stops receiving for
 * that connection and TCP flow control holds the peer back until the reader consumes; other connections are not
 * affected.
 *
 * <h2>Interrupt, timeout, close</h2>
 * As for the channel's reads: an interrupted or timed-out {@code fillBuf} consumes nothing and loses nothing. A
 * {@link #readLine} or {@link #readUntil} cut short keeps what it had gathered: {@code readLine} holds the partial
 * line and the next call continues it; {@code readUntil} has already written it to the sink.
 *
 * <h2>Threads</h2>
 * Not thread-safe: one thread reads through a reader at a time, as with {@code BufferedReader}. A plain
 * {@code read} on the channel while the reader holds filled bytes returns those first.
 */
public final class RingReader {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    /** Where a reader's bytes come from: the channel's own received memory. */
    interface Source {
        /** The next bytes, waiting for them; null at end of stream. */
        MemorySegment fill() throws IOException;

        /** The first {@code n} bytes of the last fill were used. */
        void consume(int n);
    }

    private final Source source;
    private MemorySegment filled;   // the last fill, or null; bytes before offset are consumed
    private long offset;
    private static final byte[] NO_BYTES = new byte[0];
    private byte[] pending = NO_BYTES;      // a readLine's partial line, kept across an interrupt or a timeout
    private int pendingLength;
    private byte[] scratch;         // decoding and readUntil's copies, allocated on first use

    RingReader(Source source) {
        this.source = source;
    }

    /**
     * The next received bytes, parking until at least one arrived: a read-only view of the memory they were received
     * into, valid until {@link #consume} consumed all of it. Calling it again before consuming returns the same
     * bytes. An empty buffer at end of stream.
     *
     * @throws InterruptedIOException if interrupted while waiting (nothing consumed; the status stays set)
     * @throws SocketTimeoutException if the channel's timeout passed first (nothing consumed)
     */
    public ByteBuffer fillBuf() throws IOException {
        if (!fill()) {
            return EMPTY;
        }
        // As few objects as the view needs: no slice when nothing was consumed, and no read-only copy of a buffer
        // made read-only by its segment (a socket's received bytes are).
        ByteBuffer view = (offset == 0 ? filled : filled.asSlice(offset)).asByteBuffer();
        return view.isReadOnly() ? view : view.asReadOnlyBuffer();
    }

    /** True once unconsumed bytes are filled (filling if there are none); false at end of stream. */
    private boolean fill() throws IOException {
        if (filled == null) {
            filled = source.fill();
            offset = 0;
        }
        return filled != null;
    }

    /**
     * Marks the first {@code n} bytes of the last {@link #fillBuf()} as used; once all are, their memory goes back.
     *
     * @throws IllegalArgumentException if {@code n} is negative or more than the filled bytes left
     */
    public void consume(int n) {
        long left = filled == null ? 0 : filled.byteSize() - offset;
        if (n < 0 || n > left) {
            throw new IllegalArgumentException("consume(" + n + "): " + left + " filled bytes are left");
        }
        offset += n;
        if (n == left && filled != null) {
            // The source learns of a fill's bytes all at once, when the last is used: one call per fill, not per line.
            long size = filled.byteSize();
            filled = null;
            source.consume((int) size);
        }
    }

    /** Bytes filled and not consumed: what a read returns without waiting. */
    public int buffered() {
        return filled == null ? 0 : (int) (filled.byteSize() - offset);
    }

    /**
     * Bytes of the current fill already consumed here that the source still counts as waiting: it learns of a fill's
     * consumption only when its last byte is used.
     */
    int consumedUntold() {
        return filled == null ? 0 : (int) offset;
    }

    /** True if bytes are filled and not consumed: a read on the channel must come through here first. */
    boolean holdsBytes() {
        return filled != null;
    }

    /** True unless the stream ended; parks until it knows. */
    public boolean hasDataLeft() throws IOException {
        return fill();
    }

    /**
     * The next byte (0 to 255), parking until one arrived; -1 at end of stream. Allocates nothing and makes no syscall
     * while filled bytes are left: {@code InputStream.read()} over this reader is buffered by the receive buffers.
     */
    public int read() throws IOException {
        if (!fill()) {
            return -1;
        }
        int b = filled.get(JAVA_BYTE, offset) & 0xFF;
        consume(1);
        return b;
    }

    /**
     * Copies up to {@code dst.remaining()} bytes, parking until at least one arrived; for callers who want a copy.
     *
     * @return bytes copied, -1 at end of stream
     */
    public int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), filled.byteSize() - offset);
        MemorySegment.copy(filled, offset, MemorySegment.ofBuffer(dst), 0, n);
        dst.position(dst.position() + n);
        consume(n);
        return n;
    }

    /**
     * Copies into {@code dsts[first, first + count)} in order from one fill: the bytes filled, or (none filled)
     * the next that arrive, parking until at least one did; the scattering read of a channel built on this reader.
     * The caller checked the slice.
     *
     * @return bytes copied, -1 at end of stream
     */
    long read(ByteBuffer[] dsts, int first, int count) throws IOException {
        long room = BufferVectors.remaining(dsts, first, count);
        if (room == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = (int) Math.min(room, filled.byteSize() - offset);
        BufferVectors.scatter(filled.asSlice(offset, n), n, dsts, first, count);
        consume(n);
        return n;
    }

    /**
     * Writes to {@code sink} every byte up to and including the next {@code delimiter}, or up to the end of the
     * stream. Cut short (interrupt, timeout), the bytes before the cut are in {@code sink} already.
     *
     * @return the bytes written, the delimiter included; 0 at end of stream
     */
    public long readUntil(byte delimiter, OutputStream sink) throws IOException {
        Objects.requireNonNull(sink, "sink");
        long total = 0;
        while (fill()) {
            long end = filled.byteSize();
            long at = indexOf(filled, offset, end, delimiter);
            int n = (int) ((at < 0 ? end : at + 1) - offset);
            copyTo(n, sink);
            consume(n);
            total += n;
            if (at >= 0) {
                break;
            }
        }
        return total;
    }

    /**
     * The next line, without its terminator ({@code "\n"} or {@code "\r\n"}), decoded with {@code charset}; the last
     * line of a stream may lack the terminator. Cut short (interrupt, timeout), the partial line stays here and the
     * next call continues it: no byte is lost.
     *
     * @return the line, or null at end of stream
     */
    public String readLine(Charset charset) throws IOException {
        Objects.requireNonNull(charset, "charset");
        while (fill()) {
            long end = filled.byteSize();
            long at = indexOf(filled, offset, end, (byte) '\n');
            if (at >= 0 && pendingLength == 0) {
                // The whole line is in one buffer: decode it from there.
                long stop = at > offset && filled.get(JAVA_BYTE, at - 1) == '\r' ? at - 1 : at;
                String line = decode(filled, offset, (int) (stop - offset), charset);
                consume((int) (at + 1 - offset));
                return line;
            }
            int n = (int) ((at < 0 ? end : at + 1) - offset);
            append(n);
            consume(n);
            if (at >= 0) {
                return takePending(charset, true);
            }
        }
        return pendingLength == 0 ? null : takePending(charset, false);
    }

    private String decode(MemorySegment f, long from, int length, Charset charset) {
        byte[] bytes = scratch(length);
        MemorySegment.copy(f, JAVA_BYTE, from, bytes, 0, length);
        return new String(bytes, 0, length, charset);
    }

    private byte[] scratch(int length) {
        if (scratch == null || scratch.length < length) {
            scratch = new byte[Math.max(length, 8192)];
        }
        return scratch;
    }

    private void append(int n) {
        if (pendingLength + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pendingLength + n, Math.max(256, pending.length * 2)));
        }
        MemorySegment.copy(filled, JAVA_BYTE, offset, pending, pendingLength, n);
        pendingLength += n;
    }

    /** The partial line, its terminator stripped when {@code terminated}; the pending bytes are reset. */
    private String takePending(Charset charset, boolean terminated) {
        int end = pendingLength;
        if (terminated) {
            end--;                                              // the '\n'
            if (end > 0 && pending[end - 1] == '\r') {
                end--;
            }
        }
        String line = new String(pending, 0, end, charset);
        pendingLength = 0;
        if (pending.length > 64 * 1024) {
            pending = NO_BYTES;                                 // one long line does not pin its memory forever
        }
        return line;
    }

    /** Copies the next {@code n} filled bytes into {@code sink}. */
    private void copyTo(int n, OutputStream sink) throws IOException {
        byte[] b = scratch(8192);
        for (int off = 0; off < n; ) {
            int len = Math.min(b.length, n - off);
            MemorySegment.copy(filled, JAVA_BYTE, offset + off, b, 0, len);
            sink.write(b, 0, len);
            off += len;
        }
    }

    private static final ValueLayout.OfLong WORD = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L, HIGHS = 0x8080808080808080L;

    /**
     * The index of the first {@code b} in {@code f[from, to)}, or -1: eight bytes at a time (a word whose byte equal
     * to {@code b} becomes zero; the lowest flagged zero byte is exact, a borrow only flags bytes above it).
     */
    static long indexOf(MemorySegment f, long from, long to, byte b) {
        long pattern = (b & 0xFFL) * ONES;
        long i = from;
        for (; i + 8 <= to; i += 8) {
            long word = f.get(WORD, i) ^ pattern;
            long zeros = (word - ONES) & ~word & HIGHS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (f.get(JAVA_BYTE, i) == b) {
                return i;
            }
        }
        return -1;
    }
}
