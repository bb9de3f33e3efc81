package dev.ringloom.runtime.jdk;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.FileChannel;

/**
 * Makes a {@link FileChannel} of the default file system ignore interrupts, as the JDK does for the channels it uses
 * itself ({@code sun.nio.ch.FileChannelImpl.setUninterruptible}): an interrupt then neither closes the channel nor
 * cuts its IO short, so the calling thread may do a file's IO itself and leave no helper's hand-off on the way
 * (4 KiB cached reads through helpers or one java.io pointer: 0.29–0.77× the JDK; BENCHMARKS.md).
 *
 * <p>That method is public in a package java.base does not export: it takes
 * {@code --add-exports java.base/sun.nio.ch=<ringloom's module or ALL-UNNAMED>} (or {@code --add-opens}; the
 * samples' jar names it in its manifest). Without it {@link #shield} refuses, and the first refusal says so once.
 * Stateless apart from the handle found at class initialisation; thread-safe.
 */
final class UninterruptibleChannels {
    private static final System.Logger LOG = System.getLogger("dev.ringloom");
    private static final Class<?> IMPL;
    private static final MethodHandle SET_UNINTERRUPTIBLE;

    static {
        Class<?> impl = null;
        MethodHandle set = null;
        String why = null;
        try {
            impl = Class.forName("sun.nio.ch.FileChannelImpl");
            if (impl.getModule().isExported("sun.nio.ch", UninterruptibleChannels.class.getModule())) {
                set = MethodHandles.lookup().findVirtual(impl, "setUninterruptible", MethodType.methodType(void.class));
            } else {
                why = "java.base does not export sun.nio.ch to ringloom (run with --add-exports java.base/sun.nio.ch="
                        + moduleName() + ")";
            }
        } catch (ReflectiveOperationException e) {
            why = "this JDK's FileChannel has no setUninterruptible (" + e + ")";
        }
        IMPL = impl;
        SET_UNINTERRUPTIBLE = set;
        if (why != null) {
            LOG.log(System.Logger.Level.INFO, "ringloom's JDK backend does a file's reads and writes on helper threads"
                    + " (a read-only file's reads on the caller, one at a time): " + why);
        }
    }

    private UninterruptibleChannels() {
    }

    private static String moduleName() {
        Module m = UninterruptibleChannels.class.getModule();
        return m.isNamed() ? m.getName() : "ALL-UNNAMED";
    }

    /** True if the channels this class shields ignore interrupts: {@link #shield} will not refuse one of them. */
    static boolean available() {
        return SET_UNINTERRUPTIBLE != null;
    }

    /**
     * Makes {@code channel} ignore interrupts from now on.
     *
     * @return false, changing nothing, where that is not possible (see the class comment, or a channel of another
     *         file system)
     */
    static boolean shield(FileChannel channel) {
        if (SET_UNINTERRUPTIBLE == null || !IMPL.isInstance(channel)) {
            return false;
        }
        try {
            SET_UNINTERRUPTIBLE.invoke(channel);
            return true;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("FileChannelImpl.setUninterruptible", e);    // it declares no exception
        }
    }
}
