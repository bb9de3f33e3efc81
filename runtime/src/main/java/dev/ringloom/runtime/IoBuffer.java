package dev.ringloom.runtime;

import dev.ringloom.poller.BufferOwner;
import dev.ringloom.poller.NativeBufferPool;
import dev.ringloom.poller.spi.BufferPool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Native memory from a runtime's pool that moves into an IO call and comes back with its result:
 * {@code buf = file.read(buf, position)}, {@code buf = socket.write(buf)}. Obtain one from
 * {@link Ringloom#allocate(int)}; {@link #close()} gives it back.
 *
 * <h2>Ownership</h2>
 * The buffer is always in one of three hands. The <b>user</b>'s, between calls: its {@link #segment()},
 * {@link #data()} and {@link #byteBuffer()} views work. The <b>kernel</b>'s, during a call: every method throws
 * {@link IllegalStateException}, and every view taken before the call throws too — views live in an arena of their
 * own that the call closes, so no code can watch the memory change. Nobody's, once {@link #close()}d (or lost, see
 * below): every method throws, {@code close} included.
 *
 * <p>If the call is abandoned — an interrupt, a wait that could never end — the kernel may still write the memory:
 * the buffer does not come back. It stays with the poller's registry until the op's own completion, then goes back
 * to its pool; the handle throws from then on ({@link #isReleased()} says so). A call that fails otherwise (an
 * error, a timeout, a close) hands the buffer back unchanged but for what the kernel wrote.
 *
 * <h2>Threads</h2>
 * One owner at a time. Views are confined to the thread that took them, and that thread must be the one that lends
 * the buffer to a call (which closes them); a buffer passed between threads, viewless, may be used by its new
 * owner. The ownership flag itself is thread-safe.
 */
public final class IoBuffer implements AutoCloseable {
    private static final int USER = 0, KERNEL = 1, RELEASED = 2;

    private final MemorySegment memory;     // the pool's buffer; never given out itself
    private final BufferPool pool;
    private final Accounting accounting;
    private final AtomicInteger state = new AtomicInteger(USER);
    private int length;                     // bytes of data, from 0; the user's between calls
    private Arena views;                    // this period's views, confined to their thread; null if none taken
    private MemorySegment view;             // memory, bound to views

    /** Counts a runtime's owned buffers, for its stats and tests. Thread-safe. */
    static final class Accounting {
        final AtomicLong outstanding = new AtomicLong();   // allocated and not yet back in the pool
    }

    IoBuffer(BufferPool pool, int capacity, Accounting accounting) {
        checkCapacity(capacity);
        this.pool = pool;
        this.memory = pool.acquire(capacity).asSlice(0, capacity);
        this.accounting = accounting;
        accounting.outstanding.incrementAndGet();
    }

    /** A runtime buffer's size rule, for owned buffers and writers' buffers alike: the pool's classes. */
    static void checkCapacity(int capacity) {
        if (capacity < 1 || capacity > NativeBufferPool.MAX_SIZE) {
            throw new IllegalArgumentException("capacity " + capacity + " outside [1, " + NativeBufferPool.MAX_SIZE
                    + "]");
        }
    }

    /** The bytes this buffer can hold, fixed when it was allocated. */
    public int capacity() {
        ensureUser();
        return (int) memory.byteSize();
    }

    /** The bytes of data: what the last read returned, or what the user set. */
    public int length() {
        ensureUser();
        return length;
    }

    /**
     * Sets how many bytes, from 0, are data (before a write, after filling it through a view).
     *
     * @throws IndexOutOfBoundsException if {@code length} is negative or above the capacity
     */
    public IoBuffer length(int length) {
        ensureUser();
        if (length < 0 || length > memory.byteSize()) {
            throw new IndexOutOfBoundsException("length " + length + " outside [0, " + memory.byteSize() + "]");
        }
        this.length = length;
        return this;
    }

    /** The whole buffer, {@code [0, capacity)}, valid until the buffer is lent to a call or closed. */
    public MemorySegment segment() {
        ensureUser();
        if (view == null) {
            views = Arena.ofConfined();
            view = NativeBufferPool.scopedView(memory, views);
        }
        return view;
    }

    /** The data, {@code [0, length)}, valid as {@link #segment()} is. */
    public MemorySegment data() {
        return segment().asSlice(0, length);
    }

    /** The data as a {@link ByteBuffer} (position 0, limit {@link #length()}), valid as {@link #segment()} is. */
    public ByteBuffer byteBuffer() {
        return data().asByteBuffer();
    }

    /** Copies {@code src}'s remaining bytes to the start of the buffer and makes them its data. */
    public IoBuffer put(ByteBuffer src) {
        int n = src.remaining();
        if (n > capacity()) {
            throw new IndexOutOfBoundsException(n + " bytes do not fit a buffer of " + capacity());
        }
        MemorySegment.copy(MemorySegment.ofBuffer(src), 0, memory, 0, n);
        src.position(src.position() + n);
        length = n;
        return this;
    }

    /**
     * True while the buffer is the user's: between calls, and after a call that failed but gave it back. False
     * while a call has it — also an abandoned call until the kernel's completion — and once it was released.
     */
    public boolean isOwned() {
        return state.get() == USER;
    }

    /** True once the buffer went back to its pool (closed, or after an abandoned call's completion). */
    public boolean isReleased() {
        return state.get() == RELEASED;
    }

    /**
     * Gives the buffer back to its pool.
     *
     * @throws IllegalStateException if it was released already, or is lent to a call
     */
    @Override
    public void close() {
        closeViews();
        if (!state.compareAndSet(USER, RELEASED)) {
            throw new IllegalStateException(describe());
        }
        pool.release(memory);
        accounting.outstanding.decrementAndGet();
    }

    // ---------------------------------------------------------------- the runtime's side

    /**
     * A call takes the buffer: the user's views close, the handle refuses access.
     *
     * @return the memory, for the kernel
     * @throws IllegalStateException if the buffer is not the user's, or its views belong to another thread
     */
    MemorySegment lend() {
        closeViews();
        if (!state.compareAndSet(USER, KERNEL)) {
            throw new IllegalStateException(describe());
        }
        return memory;
    }

    /** The call is over and the memory back: the user's again, {@code length} bytes of data. */
    IoBuffer giveBack(int length) {
        this.length = length;
        state.set(USER);
        return this;
    }

    /** The call was abandoned: whoever completes it releases the memory through this owner, once. */
    BufferOwner whenAbandoned() {
        return afterAbandoned;
    }

    private final BufferOwner afterAbandoned = this::releasedAfterAbandon;    // one per buffer, not one per call

    private void releasedAfterAbandon(MemorySegment lent) {
        state.set(RELEASED);
        pool.release(memory);
        accounting.outstanding.decrementAndGet();
    }

    private void closeViews() {
        if (views != null) {
            try {
                views.close();
            } catch (WrongThreadException e) {
                throw new IllegalStateException("this buffer's views belong to another thread: only it may lend or"
                        + " close the buffer", e);
            }
            views = null;
            view = null;
        }
    }

    private void ensureUser() {
        if (state.get() != USER) {
            throw new IllegalStateException(describe());
        }
    }

    private String describe() {
        return switch (state.get()) {
            case KERNEL -> "the buffer is lent to an IO call: the kernel may be writing it";
            case RELEASED -> "the buffer was released (closed, or kept by an abandoned call until its completion)";
            default -> "the buffer is the user's";
        };
    }

    @Override
    public String toString() {
        int s = state.get();
        return "IoBuffer[" + memory.byteSize() + " bytes" + (s == USER ? ", length " + length
                : s == KERNEL ? ", lent" : ", released") + "]";
    }
}
