package dev.ringloom.poller.uring;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct io_uring_getevents_arg}, passed to {@code io_uring_enter} with {@code IORING_ENTER_EXT_ARG}:
 * {@snippet lang=c :
 * struct io_uring_getevents_arg {
 *     __u64 sigmask;
 *     __u32 sigmask_sz;
 *     __u32 min_wait_usec;   // 6.12+ (IORING_FEAT_MIN_TIMEOUT); "pad" before
 *     __u64 ts;              // struct __kernel_timespec *, 0 = no overall timeout
 * };  // 24 bytes
 * }
 */
public final class GeteventsArg {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("sigmask"), JAVA_INT.withName("sigmask_sz"), JAVA_INT.withName("min_wait_usec"),
            JAVA_LONG.withName("ts"));
    public static final VarHandle MIN_WAIT_USEC = LAYOUT.varHandle(groupElement("min_wait_usec"));
    public static final VarHandle TS = LAYOUT.varHandle(groupElement("ts"));

    private GeteventsArg() {
    }
}
