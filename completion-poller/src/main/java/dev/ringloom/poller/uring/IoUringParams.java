package dev.ringloom.poller.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct io_uring_params} (and the two offset structs inside it), as in {@code linux/io_uring.h}:
 * {@snippet lang=c :
 * struct io_sqring_offsets { __u32 head, tail, ring_mask, ring_entries, flags, dropped, array, resv1; __u64 user_addr; };
 * struct io_cqring_offsets { __u32 head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1; __u64 user_addr; };
 * struct io_uring_params {
 *     __u32 sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
 *     struct io_sqring_offsets sq_off;
 *     struct io_cqring_offsets cq_off;
 * };   // 120 bytes
 * }
 */
public final class IoUringParams {
    static final StructLayout SQ_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("flags"), JAVA_INT.withName("dropped"),
            JAVA_INT.withName("array"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"));
    static final StructLayout CQ_OFFSETS = MemoryLayout.structLayout(
            JAVA_INT.withName("head"), JAVA_INT.withName("tail"), JAVA_INT.withName("ring_mask"),
            JAVA_INT.withName("ring_entries"), JAVA_INT.withName("overflow"), JAVA_INT.withName("cqes"),
            JAVA_INT.withName("flags"), JAVA_INT.withName("resv1"), JAVA_LONG.withName("user_addr"));

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("sq_entries"), JAVA_INT.withName("cq_entries"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("sq_thread_cpu"), JAVA_INT.withName("sq_thread_idle"),
            JAVA_INT.withName("features"), JAVA_INT.withName("wq_fd"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("resv"),
            SQ_OFFSETS.withName("sq_off"), CQ_OFFSETS.withName("cq_off"));

    public static final VarHandle SQ_ENTRIES = field("sq_entries");
    public static final VarHandle CQ_ENTRIES = field("cq_entries");
    public static final VarHandle FLAGS = field("flags");
    public static final VarHandle FEATURES = field("features");

    public static final VarHandle SQ_HEAD = sq("head");
    public static final VarHandle SQ_TAIL = sq("tail");
    public static final VarHandle SQ_RING_MASK = sq("ring_mask");
    public static final VarHandle SQ_RING_ENTRIES = sq("ring_entries");
    public static final VarHandle SQ_FLAGS = sq("flags");
    public static final VarHandle SQ_DROPPED = sq("dropped");
    public static final VarHandle SQ_ARRAY = sq("array");

    public static final VarHandle CQ_HEAD = cq("head");
    public static final VarHandle CQ_TAIL = cq("tail");
    public static final VarHandle CQ_RING_MASK = cq("ring_mask");
    public static final VarHandle CQ_RING_ENTRIES = cq("ring_entries");
    public static final VarHandle CQ_OVERFLOW = cq("overflow");
    public static final VarHandle CQ_CQES = cq("cqes");
    public static final VarHandle CQ_FLAGS = cq("flags");

    static {
        if (LAYOUT.byteSize() != 120) {
            throw new AssertionError("io_uring_params must be 120 bytes, layout has " + LAYOUT.byteSize());
        }
    }

    private IoUringParams() {
    }

    private static VarHandle field(String name) {
        return LAYOUT.varHandle(groupElement(name));
    }

    private static VarHandle sq(String name) {
        return LAYOUT.varHandle(groupElement("sq_off"), groupElement(name));
    }

    private static VarHandle cq(String name) {
        return LAYOUT.varHandle(groupElement("cq_off"), groupElement(name));
    }
}
