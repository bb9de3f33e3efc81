package dev.ringloom.poller.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct io_uring_sqe}, 64 bytes; unions are named by the member ringloom uses.
 * {@snippet lang=c :
 * struct io_uring_sqe {
 *     __u8  opcode;  __u8 flags;  __u16 ioprio;  __s32 fd;   // 0, 1, 2, 4 (ioprio: recv/send/accept flags)
 *     __u64 off;                 // 8  (also addr2: cancel flags target, timeout count)
 *     __u64 addr;                // 16 (buffer, iovec, timespec, or user_data to cancel)
 *     __u32 len;                 // 24
 *     __u32 op_flags;            // 28 (rw_flags, fsync_flags, cancel_flags, timeout_flags, msg_flags, ...)
 *     __u64 user_data;           // 32
 *     __u16 buf_index;  __u16 personality;  __s32 file_index;  // 40, 42, 44
 *     __u64 addr3;  __u64 pad2;  // 48, 56
 * };
 * }
 * Offsets are resolved once from the layout; writes are plain because the SQE becomes visible to the
 * kernel only through the release store of the SQ tail ({@link SubmissionQueue}).
 */
public final class Sqe {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("opcode"), JAVA_BYTE.withName("flags"), JAVA_SHORT.withName("ioprio"),
            JAVA_INT.withName("fd"), JAVA_LONG.withName("off"), JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"), JAVA_INT.withName("op_flags"), JAVA_LONG.withName("user_data"),
            JAVA_SHORT.withName("buf_index"), JAVA_SHORT.withName("personality"), JAVA_INT.withName("file_index"),
            JAVA_LONG.withName("addr3"), JAVA_LONG.withName("pad2"));

    public static final long SIZE = LAYOUT.byteSize();
    static final long OPCODE = offset("opcode");
    static final long FLAGS = offset("flags");
    static final long IOPRIO = offset("ioprio");
    static final long FD = offset("fd");
    static final long OFF = offset("off");
    static final long ADDR = offset("addr");
    static final long LEN = offset("len");
    static final long OP_FLAGS = offset("op_flags");
    static final long USER_DATA = offset("user_data");
    static final long BUF_INDEX = offset("buf_index");

    static {
        if (SIZE != 64 || USER_DATA != 32 || BUF_INDEX != 40) {
            throw new AssertionError("io_uring_sqe layout is wrong: " + LAYOUT);
        }
    }

    private Sqe() {
    }

    private static long offset(String name) {
        return LAYOUT.byteOffset(groupElement(name));
    }

    /**
     * Writes one complete SQE at {@code base} in the SQE array, zeroing what the op does not set (the kernel
     * rejects stale bits in fields an opcode does not use).
     */
    public static void write(MemorySegment sqes, long base, byte opcode, byte flags, short ioprio, int fd, long off,
                             long addr, int len, int opFlags, long userData, short bufIndex) {
        sqes.set(JAVA_BYTE, base + OPCODE, opcode);
        sqes.set(JAVA_BYTE, base + FLAGS, flags);
        sqes.set(JAVA_SHORT, base + IOPRIO, ioprio);
        sqes.set(JAVA_INT, base + FD, fd);
        sqes.set(JAVA_LONG, base + OFF, off);
        sqes.set(JAVA_LONG, base + ADDR, addr);
        sqes.set(JAVA_INT, base + LEN, len);
        sqes.set(JAVA_INT, base + OP_FLAGS, opFlags);
        sqes.set(JAVA_LONG, base + USER_DATA, userData);
        sqes.set(JAVA_LONG, base + BUF_INDEX, bufIndex & 0xFFFFL); // buf_index, personality, file_index
        sqes.set(JAVA_LONG, base + BUF_INDEX + 8, 0L);             // addr3
        sqes.set(JAVA_LONG, base + BUF_INDEX + 16, 0L);            // pad2
    }
}
