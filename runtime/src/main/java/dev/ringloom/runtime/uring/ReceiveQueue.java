package dev.ringloom.runtime.uring;

import dev.ringloom.poller.spi.Completer;
import dev.ringloom.runtime.backend.ReadWaits;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * What a stream received and nobody read yet, between the one producer that receives (a poller's multishot recv)
 * and the stream's readers, who take turns (the caller's lock): the producer posts chunks in stream order and, once, how receiving ended; a reader copies
 * chunks out front to front, parks with a deadline while there is no news, and gives a chunk's buffer back once
 * emptied. A reader that gives up (interrupt, timeout) owns nothing: what was received stays queued.
 *
 * <p>A chunk is a buffer id and a length packed in one {@code long}. The front chunk has a field of its own and the
 * ones behind it a ring that doubles when full, created only when a second chunk queues behind an unread one: a
 * request-response stream, which reads each chunk before the next arrives, never allocates one (an idle
 * connection's cost is counted in bytes), and posting allocates nothing once the ring has grown to the stream's
 * bound (the producer keeps the bound: it stops receiving at a chunk count or when its buffers run out). The
 * bytes live in the producer's {@link Chunks}.
 *
 * <p>Thread-safe as described: the ring and the end are guarded by this object's monitor; the reader-only state
 * (the front chunk's consumed bytes) by the readers' lock.
 */
final class ReceiveQueue {
    /** {@link #takeEnd()}: receiving has not ended (or the end waits behind queued chunks). */
    static final int NO_END = Integer.MIN_VALUE;

    /** Where the bytes of the chunks are, and where an emptied chunk's buffer goes back. */
    interface Chunks {
        /**
         * Bytes {@code [offset, offset + length)} of buffer {@code id}, read-only where the memory can be: one slice,
         * as the hot path of every read makes one.
         */
        MemorySegment bytes(int id, int offset, int length) throws IOException;

        /** Buffer {@code id} was emptied: it may receive again. */
        void recycle(int id);

        /** What a reader throws when the buffers were freed under it (the runtime closed meanwhile). */
        IOException freed(IllegalStateException e);
    }

    private final Chunks chunks;
    private final Object name;                  // names the stream in messages: its toString() runs only then

    // Producer → readers, guarded by this.
    private long front;                         // the oldest chunk, (id << 32 | length), if count > 0
    private long[] behind;                      // the next count - 1, in stream order; null until first needed
    private int head, count;                    // head: behind's first
    private int end = NO_END;                   // how receiving ended: producer-defined, any value but NO_END
    private volatile Thread reader;             // the reader to unpark, while it parks

    // Readers only, under their lock.
    private int headOffset;                     // bytes of the front chunk already consumed

    ReceiveQueue(Chunks chunks, Object name) {
        this.chunks = chunks;
        this.name = name;
    }

    // ---------------------------------------------------------------- the producer

    /**
     * Queues {@code length} received bytes in buffer {@code id} behind the others and wakes the reader.
     *
     * @return the chunks queued now, this one included (the producer's bound)
     */
    int post(int id, int length) {
        int queued;
        synchronized (this) {
            long c = (long) id << 32 | length;
            if (count == 0) {
                front = c;
            } else {
                enqueueBehind(c);
            }
            queued = ++count;
        }
        wakeReader();
        return queued;
    }

    private void enqueueBehind(long c) {
        int waiting = count - 1;
        if (behind == null || waiting == behind.length) {
            long[] bigger = new long[behind == null ? 4 : behind.length * 2];
            for (int i = 0; i < waiting; i++) {
                bigger[i] = behind[(head + i) & (behind.length - 1)];
            }
            behind = bigger;
            head = 0;
        }
        behind[(head + waiting) & (behind.length - 1)] = c;
    }

    /** Under the monitor, count > 0: the front chunk leaves, the first behind it (if any) moves up. */
    private long dequeue() {
        long c = front;
        if (--count > 0) {
            front = behind[head];
            head = (head + 1) & (behind.length - 1);
        }
        return c;
    }

    /**
     * Receiving ended, with {@code code} (anything but {@link #NO_END}): readers learn it after the queued chunks.
     * The first end wins until a reader takes it: a later one (a close racing the producer's own end) is dropped.
     *
     * @return true if this was the end
     */
    boolean end(int code) {
        synchronized (this) {
            if (end != NO_END) {
                return false;
            }
            end = code;
        }
        wakeReader();
        return true;
    }

    private void wakeReader() {
        Thread r = reader;
        if (r != null) {
            LockSupport.unpark(r);
        }
    }

    // ---------------------------------------------------------------- the reader (under the readers' lock)

    /** Copies queued bytes into {@code dst}, front chunk first, recycling every chunk it empties; 0 if none queued. */
    int take(ByteBuffer dst) throws IOException {
        int copied = 0;
        long c;
        while (dst.hasRemaining() && (c = peek()) >= 0) {
            int id = (int) (c >>> 32), length = (int) c;
            int n = Math.min(dst.remaining(), length - headOffset);
            try {
                MemorySegment.copy(chunks.bytes(id, headOffset, n), 0, MemorySegment.ofBuffer(dst), 0, n);
            } catch (IllegalStateException freed) {
                throw chunks.freed(freed);
            }
            dst.position(dst.position() + n);
            copied += n;
            advance(c, n);
        }
        return copied;
    }

    /**
     * The unconsumed bytes of the front chunk, in the producer's buffer itself (no copy), or null if none is
     * queued. They stay valid until {@link #consume} empties the chunk: its buffer then goes back to the producer.
     */
    MemorySegment front() throws IOException {
        long c = peek();
        if (c < 0) {
            return null;
        }
        int id = (int) (c >>> 32), length = (int) c;
        try {
            return chunks.bytes(id, headOffset, length - headOffset);
        } catch (IllegalStateException freed) {
            throw chunks.freed(freed);
        }
    }

    /**
     * Marks {@code n} bytes of the front chunk consumed; once it is empty, recycles its buffer.
     *
     * @throws IllegalArgumentException if {@code n} is negative or more than the front chunk holds
     */
    void consume(int n) {
        if (n == 0) {
            return;
        }
        long c = peek();
        int length = c < 0 ? 0 : (int) c;
        if (n < 0 || headOffset + n > length) {
            throw new IllegalArgumentException("consume(" + n + "): the front chunk has " + (length - headOffset)
                    + " bytes left");
        }
        advance(c, n);
    }

    /** The front chunk, packed, or -1 if none is queued. */
    private synchronized long peek() {
        return count == 0 ? -1 : front;
    }

    /** {@code n} more bytes of front chunk {@code c} are consumed; an emptied chunk leaves and is recycled. */
    private void advance(long c, int n) {
        headOffset += n;
        if (headOffset == (int) c) {
            headOffset = 0;
            synchronized (this) {
                dequeue();
            }
            chunks.recycle((int) (c >>> 32));
        }
    }

    /** Bytes queued and not yet read (an estimate while a reader consumes: for {@code available()}). */
    synchronized long queuedBytes() {
        if (count == 0) {
            return 0;
        }
        long n = (int) front - headOffset;
        for (int i = 0; i < count - 1; i++) {
            n += (int) behind[(head + i) & (behind.length - 1)];
        }
        return Math.max(n, 0);
    }

    /** True if a chunk is queued. */
    synchronized boolean hasChunks() {
        return count > 0;
    }

    /** How receiving ended, once no chunk is queued before it, and forgets it; else {@link #NO_END}. */
    synchronized int takeEnd() {
        if (count > 0) {
            return NO_END;
        }
        int e = end;
        end = NO_END;
        return e;
    }

    /** Forgets an end nobody took: the producer is about to receive again. */
    synchronized void clearEnd() {
        end = NO_END;
    }

    /**
     * Parks until a chunk or the end is queued, at most until {@code deadline} ({@link System#nanoTime()}, 0: none).
     * {@code guard} brackets the parks (a poller refuses a park on its own thread).
     *
     * @throws java.io.InterruptedIOException if interrupted (nothing consumed; the status stays set)
     * @throws java.net.SocketTimeoutException if the deadline passed (nothing consumed)
     */
    void await(long deadline, Completer guard) throws IOException {
        reader = Thread.currentThread();
        long mark = guard.beforePark(name);
        try {
            while (!hasNews()) {
                ReadWaits.parkOnce(this, deadline, name);
                guard.afterPark(mark, name);
            }
        } finally {
            reader = null;
            guard.afterWait(mark);
        }
    }

    private synchronized boolean hasNews() {
        return count > 0 || end != NO_END;
    }

    /** After the producer stopped for good: gives back every queued chunk's buffer. */
    void dispose() {
        synchronized (this) {
            while (count > 0) {
                chunks.recycle((int) (dequeue() >>> 32));
            }
        }
        headOffset = 0;
    }
}
