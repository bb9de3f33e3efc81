package dev.ringloom.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Run in a child JVM by {@link BackendFallbackTest}: installs a seccomp filter that makes io_uring_setup fail with
 * EPERM for every thread of the process — what Docker's default profile does — then opens a runtime the default
 * way and uses it.
 */
public final class SeccompChild {
    private static final int PR_SET_NO_NEW_PRIVS = 38, SYS_SECCOMP = 317, SYS_IO_URING_SETUP = 425;
    private static final int SECCOMP_SET_MODE_FILTER = 1, SECCOMP_FILTER_FLAG_TSYNC = 1;
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E, SECCOMP_RET_ERRNO = 0x00050000,
            SECCOMP_RET_ALLOW = 0x7fff0000, EPERM = 1;
    private static final short BPF_LD_W_ABS = 0x20, BPF_JEQ_K = 0x15, BPF_RET_K = 0x06;

    public static void main(String[] args) throws Throwable {
        installFilter();
        try (Ringloom ring = Ringloom.open()) {
            RingFile[] pipe = ring.pipe();
            pipe[1].writeFully(ByteBuffer.wrap("through the fallback".getBytes(StandardCharsets.UTF_8)));
            ByteBuffer got = ByteBuffer.allocate(64);
            int n = pipe[0].read(got);
            System.out.println("backend=" + ring.backendName() + " read=" + new String(got.array(), 0, n,
                    StandardCharsets.UTF_8));
        }
    }

    /** struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } × 6; struct sock_fprog { u16 len; sock_filter *filter; } */
    private static void installFilter() throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle prctl = linker.downcallHandle(linker.defaultLookup().find("prctl").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
        MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS),
                Linker.Option.firstVariadicArg(1));
        Arena arena = Arena.global();
        long[][] program = {
                {BPF_LD_W_ABS, 0, 0, 4},                                    // A = seccomp_data.arch
                {BPF_JEQ_K, 0, 3, AUDIT_ARCH_X86_64},                       // another arch: allow
                {BPF_LD_W_ABS, 0, 0, 0},                                    // A = seccomp_data.nr
                {BPF_JEQ_K, 0, 1, SYS_IO_URING_SETUP},
                {BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM},
                {BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW},
        };
        MemorySegment filter = arena.allocate(8L * program.length, 8);
        for (int i = 0; i < program.length; i++) {
            filter.set(JAVA_SHORT, 8L * i, (short) program[i][0]);
            filter.set(JAVA_BYTE, 8L * i + 2, (byte) program[i][1]);
            filter.set(JAVA_BYTE, 8L * i + 3, (byte) program[i][2]);
            filter.set(JAVA_INT, 8L * i + 4, (int) program[i][3]);
        }
        MemorySegment fprog = arena.allocate(16, 8);
        fprog.set(JAVA_SHORT, 0, (short) program.length);
        fprog.set(ADDRESS, 8, filter);
        int r = (int) prctl.invokeExact(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
        if (r != 0) {
            throw new IllegalStateException("prctl(PR_SET_NO_NEW_PRIVS) failed");
        }
        long s = (long) syscall.invokeExact((long) SYS_SECCOMP, (long) SECCOMP_SET_MODE_FILTER,
                (long) SECCOMP_FILTER_FLAG_TSYNC, fprog);
        if (s != 0) {
            throw new IllegalStateException("seccomp(SECCOMP_SET_MODE_FILTER) failed: " + s);
        }
    }
}
