package dev.ringloom.poller;

import dev.ringloom.poller.sys.Errno;
import dev.ringloom.poller.sys.Libc;
import dev.ringloom.poller.sys.NativeMemory;
import dev.ringloom.poller.uring.BufRing;
import dev.ringloom.poller.uring.IoUring;
import dev.ringloom.poller.uring.IoUringConstants;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Equal-sized native buffers that the kernel picks from by itself (a provided-buffer ring,
 * {@code IORING_REGISTER_PBUF_RING}): a multishot recv takes a buffer only when data arrives, so a connection
 * that waits for data holds none.
 *
 * <h2>Ownership</h2>
 * Every buffer id is in exactly one place: <em>in the ring</em>, where the kernel may take it at any time, or
 * <em>out</em>, held by whoever received the CQE that named it ({@link #take}) until that holder
 * {@link #recycle}s it. Only ids that came back in a CQE are ever recycled (an id recycled twice, or one never
 * taken, is a ringloom bug and throws), so the kernel is never handed a buffer someone still reads
 * (PITFALLS 4). When the ring is empty the kernel answers ENOBUFS, which a reader treats as "read some other
 * way", never as lost data.
 *
 * <h2>Threads and lifetime</h2>
 * Created and registered on the poller thread (with {@code IORING_SETUP_SINGLE_ISSUER} only it may call
 * {@code io_uring_register}); {@link #take} runs on the poller thread, {@link #recycle} and {@link #segment} on
 * any. A monitor orders the writers of the ring's tail, which the kernel reads with acquire semantics. The
 * memory comes from a shared arena that the poller closes after its ring is gone: a late reader then gets an
 * {@link IllegalStateException} from the closed arena instead of touching freed memory, and late recycles are
 * ignored.
 */
public final class ProvidedBuffers {
    /** The buffer group id ringloom's rings use: one group per ring. */
    public static final short GROUP = 0;
    private static final int CACHE_LINE = 64;
    private static final long HUGE_PAGE = 2L << 20;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ring;       // entries × struct io_uring_buf; the tail overlays entry 0's resv
    private final MemorySegment slab;       // entries × stride bytes; buffer id i at i × stride
    private final MemorySegment received;   // slab, read-only: what readers are shown
    private final int entries;
    private final int bufferSize;
    /**
     * Buffer size plus one cache line. Why: a small message touches only its buffer's first lines, and buffers a
     * power of two apart put those lines all in the same few cache sets, which then evict one another on every
     * receive (measured: a 1024 × 8 KiB ring made {@code _copy_to_iter} 4.7 % of an echo server's CPU samples,
     * 1.3 % for a ring of 128; with the extra line per buffer 3.2 %, and with huge pages as well 1.1 %).
     */
    private final long stride;
    // Guarded by this: bit (bid & 63) of word bid >>> 6 is set while id bid is out of the ring. A plain bitmap,
    // not a BitSet: BitSet.clear rescans its words whenever the highest one empties, measured at ~2 % of an
    // echo server's CPU.
    private final long[] out;
    private int tail;                       // guarded by this
    private int outCount;                   // guarded by this
    private boolean closed;                 // guarded by this
    private volatile boolean multishotRecvRefused;

    private ProvidedBuffers(int entries, int bufferSize) {
        this.entries = entries;
        this.bufferSize = bufferSize;
        this.stride = (bufferSize + 2L * CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
        this.ring = arena.allocate(BufRing.ENTRY_SIZE * entries, NativeMemory.PAGE);
        this.slab = hugeSlab(stride * entries, arena);
        this.received = slab.asReadOnly();
        this.out = new long[(entries + 63) >>> 6];
        for (int bid = 0; bid < entries; bid++) {
            put(bid, bid);
        }
        tail = entries;
        publishTail();
    }

    /**
     * Memory for the buffers, in transparent huge pages where the kernel gives them ({@code MADV_HUGEPAGE}), freed
     * with {@code arena}. Why: the kernel hands buffers out in ring order, so an echo's receives walk through every
     * buffer of the ring in turn, one page each; on 4 KiB pages that is a TLB miss per receive for a ring larger
     * than the TLB's reach (8 MiB by default: 2,048 pages), on 2 MiB pages four entries cover it. Small rings, and
     * a kernel that refuses the mapping, get ordinary memory.
     */
    private static MemorySegment hugeSlab(long bytes, Arena arena) {
        if (bytes < HUGE_PAGE || Boolean.getBoolean("ringloom.noHugeBuffers")) {
            return arena.allocate(bytes, NativeMemory.PAGE);
        }
        long mapped = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE + HUGE_PAGE;  // room to align to a huge page
        long addr = Libc.mmap(0, mapped, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS,
                -1, 0);
        if (addr < 0) {
            return arena.allocate(bytes, NativeMemory.PAGE);
        }
        long aligned = (addr + HUGE_PAGE - 1) & -HUGE_PAGE;
        Libc.madvise(aligned, mapped - (aligned - addr), Libc.MADV_HUGEPAGE);   // advice: refused, pages stay small
        return MemorySegment.ofAddress(aligned).reinterpret(bytes, arena, s -> Libc.munmap(addr, mapped));
    }

    /**
     * Registers a ring of {@code entries} buffers of {@code bufferSize} bytes with {@code uring}. Poller thread
     * only.
     *
     * @return the buffers, or null if the kernel refuses provided-buffer rings (older than 5.19)
     */
    static ProvidedBuffers register(IoUring uring, int entries, int bufferSize) {
        if (entries < 1 || entries > BufRing.MAX_ENTRIES || Integer.bitCount(entries) != 1) {
            throw new IllegalArgumentException("recvBuffers must be a power of two in [1, 32768]: " + entries);
        }
        if (bufferSize < 1) {
            throw new IllegalArgumentException("recvBufferSize must be positive: " + bufferSize);
        }
        ProvidedBuffers b = new ProvidedBuffers(entries, bufferSize);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment reg = a.allocate(BufRing.REG);
            reg.set(JAVA_LONG, BufRing.REG_RING_ADDR, b.ring.address());
            reg.set(JAVA_INT, BufRing.REG_RING_ENTRIES, entries);
            reg.set(JAVA_SHORT, BufRing.REG_BGID, GROUP);
            int r = uring.register(IoUringConstants.REGISTER_PBUF_RING, reg, 1);
            if (r < 0) {
                System.getLogger("dev.ringloom").log(System.Logger.Level.DEBUG,
                        "no provided-buffer ring: " + Errno.describe(r) + "; sockets read with one buffer per read");
                b.arena.close();
                return null;
            }
        }
        return b;
    }

    private void put(int slot, int bid) {
        long e = (slot & (entries - 1)) * BufRing.ENTRY_SIZE;
        ring.set(JAVA_LONG, e + BufRing.ADDR, slab.address() + bid * stride);
        ring.set(JAVA_INT, e + BufRing.LEN, bufferSize);
        ring.set(JAVA_SHORT, e + BufRing.BID, (short) bid);
    }

    private void publishTail() {
        // Release: the entry written before must be visible to the kernel once it sees the new tail.
        JAVA_SHORT.varHandle().setRelease(ring, BufRing.TAIL, (short) tail);
    }

    /**
     * Poller thread: the CQE naming {@code bid} hands that buffer to the caller, who must {@link #recycle} it.
     *
     * @throws IllegalStateException if the id is already out (a ringloom bug)
     */
    public synchronized void take(int bid) {
        if (bid < 0 || bid >= entries || isOut(bid)) {
            throw new IllegalStateException("buffer id " + bid + " is not in the ring");
        }
        out[bid >>> 6] |= 1L << bid;
        outCount++;
    }

    /**
     * Gives buffer {@code bid} back to the kernel. The caller must not touch the buffer afterwards.
     *
     * @throws IllegalStateException if the id was not {@linkplain #take taken} (a ringloom bug)
     */
    public synchronized void recycle(int bid) {
        if (closed) {
            return;
        }
        if (bid < 0 || bid >= entries || !isOut(bid)) {
            throw new IllegalStateException("buffer id " + bid + " was not taken");
        }
        out[bid >>> 6] &= ~(1L << bid);
        outCount--;
        put(tail, bid);
        tail++;
        publishTail();
    }

    private boolean isOut(int bid) {
        return (out[bid >>> 6] & 1L << bid) != 0;
    }

    /** The first {@code length} bytes of buffer {@code bid}, which the caller holds. */
    public MemorySegment segment(int bid, int length) {
        return slab.asSlice(bid * stride, length);
    }

    /**
     * Bytes {@code [offset, offset + length)} of buffer {@code bid}, which the caller holds, read-only: the kernel
     * writes these buffers, readers only look. One slice and no other object, so a {@code ByteBuffer} made of it is
     * read-only already.
     */
    public MemorySegment bytes(int bid, long offset, long length) {
        return received.asSlice(bid * stride + offset, length);
    }

    public int bufferSize() {
        return bufferSize;
    }

    public int entries() {
        return entries;
    }

    /** Buffers currently out of the ring (received into and not yet recycled). */
    public synchronized int outstanding() {
        return outCount;
    }

    /** True once a multishot recv was refused with EINVAL (kernel older than 6.0): readers use one-shot reads. */
    public boolean multishotRecvRefused() {
        return multishotRecvRefused;
    }

    public void refuseMultishotRecv() {
        multishotRecvRefused = true;
    }

    /** Poller thread, after its ring was closed (the kernel dropped the registration): frees the memory. */
    void free() {
        synchronized (this) {
            closed = true;
        }
        try {
            arena.close();
        } catch (IllegalStateException copying) {
            // A reader was copying out of a buffer at this very moment; the arena refuses to pull the memory
            // from under it. Leaking it (once, at shutdown) is the safe answer.
            System.getLogger("dev.ringloom").log(System.Logger.Level.DEBUG,
                    "provided buffers left allocated at shutdown: a reader was still copying", copying);
        }
    }
}
