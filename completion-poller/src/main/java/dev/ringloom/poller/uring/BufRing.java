package dev.ringloom.poller.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The provided-buffer ring (5.19): an array of {@code struct io_uring_buf} that user space fills at its tail and
 * the kernel takes from at its head, registered with {@code IORING_REGISTER_PBUF_RING}.
 * {@snippet lang=c :
 * struct io_uring_buf { __u64 addr; __u32 len; __u16 bid; __u16 resv; };
 * // struct io_uring_buf_ring: the ring's __u16 tail overlays bufs[0].resv
 * struct io_uring_buf_reg { __u64 ring_addr; __u32 ring_entries; __u16 bgid; __u16 flags; __u64 resv[3]; };
 * }
 */
public final class BufRing {
    public static final StructLayout ENTRY = MemoryLayout.structLayout(
            JAVA_LONG.withName("addr"), JAVA_INT.withName("len"), JAVA_SHORT.withName("bid"),
            JAVA_SHORT.withName("resv"));
    public static final long ENTRY_SIZE = ENTRY.byteSize();
    public static final long ADDR = ENTRY.byteOffset(groupElement("addr"));
    public static final long LEN = ENTRY.byteOffset(groupElement("len"));
    public static final long BID = ENTRY.byteOffset(groupElement("bid"));
    /** Offset of the ring's tail from the ring's base: the {@code resv} of entry 0, never written as resv. */
    public static final long TAIL = ENTRY.byteOffset(groupElement("resv"));

    public static final StructLayout REG = MemoryLayout.structLayout(
            JAVA_LONG.withName("ring_addr"), JAVA_INT.withName("ring_entries"), JAVA_SHORT.withName("bgid"),
            JAVA_SHORT.withName("flags"), MemoryLayout.sequenceLayout(3, JAVA_LONG).withName("resv"));
    public static final long REG_RING_ADDR = REG.byteOffset(groupElement("ring_addr"));
    public static final long REG_RING_ENTRIES = REG.byteOffset(groupElement("ring_entries"));
    public static final long REG_BGID = REG.byteOffset(groupElement("bgid"));

    /** The kernel's limit on a buffer ring's entries (a power of two). */
    public static final int MAX_ENTRIES = 1 << 15;

    private BufRing() {
    }
}
