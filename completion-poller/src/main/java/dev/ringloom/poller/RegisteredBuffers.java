package dev.ringloom.poller;

import dev.ringloom.poller.spi.BufferPool;
import dev.ringloom.poller.sys.NativeMemory;
import dev.ringloom.poller.uring.IoUring;
import dev.ringloom.poller.uring.IoUringConstants;
import org.jctools.queues.varhandle.MpmcVarHandleArrayQueue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One slab of page-aligned memory in equal slots, registered with every ring of a runtime
 * ({@code IORING_REGISTER_BUFFERS}, slot {@code i} as buffer index {@code i}) so that {@code READ_FIXED} and
 * {@code WRITE_FIXED} on it skip the per-op page pinning an ordinary buffer costs. Owned buffers that fit a slot
 * take one while slots are free; the others, and all once the slots are taken, come from {@code fallback}.
 *
 * <h2>Lifetime</h2>
 * The kernel keeps the slab's pages pinned until each ring that registered it is closed (the ring's close drops
 * the registration). The slab itself is freed once the runtime {@link #close}d it <em>and</em> every slot came
 * back: an owned buffer may outlive its runtime in its user's hands, and its memory must stay valid until it is
 * released.
 *
 * <p>Thread-safe: slots are handed out and back through a lock-free queue; {@link #registerWith} runs on each
 * poller thread (with {@code IORING_SETUP_SINGLE_ISSUER} only it may call {@code io_uring_register}).
 */
public final class RegisteredBuffers implements BufferPool {
    private final MemorySegment slab;
    private final long base;
    private final int slotSize;
    private final int slots;
    private final MemorySegment[] slot;                      // the one segment per slot handed out and taken back
    private final MpmcVarHandleArrayQueue<MemorySegment> free;
    private final BufferPool fallback;
    private final AtomicInteger outstanding = new AtomicInteger();   // slots out, plus acquires under way
    private final LongAdder fixedOps = new LongAdder();
    private volatile boolean closed;
    private boolean freed;                                   // guarded by this

    /**
     * @param slots    number of slots, at most 16384 (the kernel's {@code IORING_MAX_REG_BUFFERS})
     * @param slotSize bytes per slot, a power of two from 4 KiB to 1 MiB
     */
    public RegisteredBuffers(int slots, int slotSize, BufferPool fallback) {
        if (slots < 1 || slots > 16384) {
            throw new IllegalArgumentException("registered buffer slots must be in [1, 16384]: " + slots);
        }
        if (Integer.bitCount(slotSize) != 1 || slotSize < NativeMemory.PAGE || slotSize > NativeBufferPool.MAX_SIZE) {
            throw new IllegalArgumentException("registered buffer size must be a power of two in [4096, 1 MiB]: "
                    + slotSize);
        }
        this.slots = slots;
        this.slotSize = slotSize;
        this.fallback = fallback;
        this.slab = NativeMemory.allocate((long) slots * slotSize, NativeMemory.PAGE);
        this.base = slab.address();
        this.slot = new MemorySegment[slots];
        this.free = new MpmcVarHandleArrayQueue<>(Math.max(2, slots));
        for (int i = 0; i < slots; i++) {
            slot[i] = slab.asSlice((long) i * slotSize, slotSize);
            free.offer(slot[i]);
        }
    }

    /**
     * Registers the slab with {@code ring}, one iovec per slot. Runs on the ring's poller thread.
     *
     * @return 0, or the kernel's negative errno (ENOMEM when the pinned pages exceed RLIMIT_MEMLOCK, EPERM, EINVAL
     *         on a kernel that refuses the memory): the ring then does its IO without registered buffers
     */
    int registerWith(IoUring ring) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iovecs = arena.allocate(16L * slots, 8);    // struct iovec { void *base; size_t len; }
            for (int i = 0; i < slots; i++) {
                iovecs.set(JAVA_LONG, 16L * i, slot[i].address());
                iovecs.set(JAVA_LONG, 16L * i + 8, slotSize);
            }
            return ring.register(IoUringConstants.REGISTER_BUFFERS, iovecs, slots);
        }
    }

    /** A slot if {@code size} fits one and one is free, otherwise memory from the fallback pool. */
    @Override
    public MemorySegment acquire(long size) {
        if (size <= slotSize) {
            // Counted before the look at closed, which close() sets before it looks at the count: one of the two
            // sees the other, so the slab is never freed under a slot being handed out.
            outstanding.incrementAndGet();
            MemorySegment s = closed ? null : free.relaxedPoll();
            if (s != null) {
                return s;
            }
            returned();
        }
        return fallback.acquire(size);
    }

    @Override
    public void release(MemorySegment buffer) {
        if (buffer == null) {
            return;     // an op whose poller died gives none back (see NativeBufferPool#release)
        }
        int i = indexOf(buffer);
        if (i < 0) {
            fallback.release(buffer);
            return;
        }
        free.offer(slot[i]);
        returned();
    }

    private void returned() {
        if (outstanding.decrementAndGet() == 0 && closed) {
            freeSlab();
        }
    }

    /**
     * The buffer index of the slot that holds all of {@code memory}, for a fixed read or write; -1 if it is not
     * slab memory.
     */
    public int indexOf(MemorySegment memory) {
        long offset = memory.address() - base;
        if (offset < 0 || offset >= (long) slots * slotSize) {
            return -1;
        }
        int i = (int) (offset / slotSize);
        return offset + memory.byteSize() <= (long) (i + 1) * slotSize ? i : -1;
    }

    /** Counts a fixed read or write about to be submitted on this memory (any thread; striped, so uncontended). */
    public void countFixedOp() {
        fixedOps.increment();
    }

    public long fixedOpsTotal() {
        return fixedOps.sum();
    }

    /** The slab's size: what each ring that registers it pins. */
    public long bytes() {
        return (long) slots * slotSize;
    }

    public int slotSize() {
        return slotSize;
    }

    /** Slots handed out and not yet back. */
    public int outstanding() {
        return outstanding.get();
    }

    /**
     * Hands out no more slots, and frees the slab once the last one is back. Call after every ring that registered
     * it is closed. Idempotent.
     */
    public void close() {
        closed = true;
        if (outstanding.get() == 0) {
            freeSlab();
        }
    }

    private synchronized void freeSlab() {
        if (!freed) {
            freed = true;
            NativeMemory.free(slab);
        }
    }
}
