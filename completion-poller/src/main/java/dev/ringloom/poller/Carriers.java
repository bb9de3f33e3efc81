package dev.ringloom.poller;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The OS thread a virtual thread is mounted on ({@code Thread.currentCarrierThread()}, which the JDK keeps
 * package-private): how a waiter learns that it runs on its own poller's thread, where a park that cannot unmount
 * would stop the loop that was to wake it. Needs {@code java.lang} open to ringloom, as poller-scheduled virtual
 * threads do; without it {@link #current()} answers null, and only the poller's watchdog sees a stuck poller.
 * Stateless and thread-safe.
 */
final class Carriers {
    private static final MethodHandle CURRENT_CARRIER = find();

    private Carriers() {
    }

    private static MethodHandle find() {
        try {
            return MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup())
                    .findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
        } catch (ReflectiveOperationException | RuntimeException notOpen) {
            return null;
        }
    }

    /**
     * True if the calling thread is a virtual thread that the JDK's own scheduler runs (its carrier is one of the
     * scheduler's fork-join workers), not one scheduled on a poller; where the JDK does not tell a carrier, every
     * virtual thread is, as poller scheduling then is not available either.
     */
    static boolean onJdkScheduler() {
        if (!Thread.currentThread().isVirtual()) {
            return false;
        }
        Thread carrier = current();
        return carrier == null || carrier instanceof java.util.concurrent.ForkJoinWorkerThread;
    }

    /** The calling thread's carrier (itself for a platform thread), or null where the JDK does not tell. */
    static Thread current() {
        if (CURRENT_CARRIER == null) {
            return null;
        }
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable checked) {   // a static method without a throws clause: cannot happen
            throw new IllegalStateException("Thread.currentCarrierThread() failed", checked);
        }
    }
}
