package dev.ringloom.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The process's soft {@code RLIMIT_FSIZE}, for tests that need the kernel to cut a file write short: a write
 * that would cross the limit writes up to it and returns the shorter count (HotSpot ignores SIGXFSZ). The limit
 * is process-wide, so set it high (far above any file the build writes) and restore it in a finally.
 */
final class FileSizeLimit implements AutoCloseable {
    private static final int RLIMIT_FSIZE = 1;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle GETRLIMIT = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("getrlimit"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle SETRLIMIT = LINKER.downcallHandle(
            LINKER.defaultLookup().findOrThrow("setrlimit"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));

    private final long previousSoft, hard;

    private FileSizeLimit(long bytes) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment rlim = arena.allocate(16, 8);     // struct rlimit { rlim_cur; rlim_max; }
            check((int) GETRLIMIT.invokeExact(RLIMIT_FSIZE, rlim.address()), "getrlimit");
            previousSoft = rlim.get(JAVA_LONG, 0);
            hard = rlim.get(JAVA_LONG, 8);
            set(arena, bytes);
        }
    }

    /** Lowers the soft limit to {@code bytes} until {@link #close()}. */
    static FileSizeLimit of(long bytes) throws Throwable {
        return new FileSizeLimit(bytes);
    }

    private void set(Arena arena, long soft) throws Throwable {
        MemorySegment rlim = arena.allocate(16, 8);
        rlim.set(JAVA_LONG, 0, soft);
        rlim.set(JAVA_LONG, 8, hard);
        check((int) SETRLIMIT.invokeExact(RLIMIT_FSIZE, rlim.address()), "setrlimit");
    }

    private static void check(int r, String call) {
        if (r != 0) {
            throw new IllegalStateException(call + "(RLIMIT_FSIZE) failed");
        }
    }

    @Override
    public void close() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            set(arena, previousSoft);
        } catch (Exception e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
