package dev.ringloom.poller.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct io_uring_cqe}, 16 bytes (ringloom never sets IORING_SETUP_CQE32):
 * {@snippet lang=c :
 * struct io_uring_cqe { __u64 user_data; __s32 res; __u32 flags; };
 * }
 */
public final class Cqe {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("user_data"), JAVA_INT.withName("res"), JAVA_INT.withName("flags"));
    public static final long SIZE = LAYOUT.byteSize();
    static final long USER_DATA = LAYOUT.byteOffset(groupElement("user_data"));
    static final long RES = LAYOUT.byteOffset(groupElement("res"));
    static final long FLAGS = LAYOUT.byteOffset(groupElement("flags"));

    /** More CQEs will follow for this SQE (multishot). */
    public static final int F_MORE = 1 << 1;
    /** The CQE is a zero-copy send's notification: the kernel no longer reads the buffer. */
    public static final int F_NOTIF = 1 << 3;
    /** After a recv: the socket still had data queued when the CQE was posted. */
    public static final int F_SOCK_NONEMPTY = 1 << 2;
    /** The upper 16 bits of flags carry a provided buffer id. */
    public static final int F_BUFFER = 1;
    /** {@code flags >>> BUFFER_SHIFT} is the provided buffer's id when {@link #F_BUFFER} is set. */
    public static final int BUFFER_SHIFT = 16;

    private Cqe() {
    }
}
