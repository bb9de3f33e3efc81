package dev.ringloom.runtime;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.Executor;

/**
 * Builds virtual threads whose scheduler is a ringloom poller instead of the JDK's {@code ForkJoinPool}.
 *
 * <p>Why: a virtual thread on the default scheduler is woken by the poller from outside the pool — an external
 * queue push and, when a carrier sleeps, a futex wake-up of another OS thread — and it then makes its own
 * syscalls on that carrier. Scheduled on the poller, the thread runs on the very OS thread that reaps its
 * completions: the wake-up is a deque push, and the ring, the thread and its sends share one core's caches, the
 * shape of an event loop, with blocking code on top.
 *
 * <p>The JDK has no public API for a virtual thread's scheduler in JDK 25; the builder that takes one
 * ({@code java.lang.ThreadBuilders.VirtualThreadBuilder(Executor)}, which the JDK's own tests use) is reached by
 * reflection, which needs {@code --add-opens java.base/java.lang=<ringloom's module or ALL-UNNAMED>}. Without
 * it, on a JDK without that constructor, or on a VM without continuations, {@link #builder} returns
 * {@link Thread#ofVirtual()} and says so once: the code runs the same, on the default scheduler. Stateless and
 * thread-safe.
 */
final class PollerThreads {
    private static final System.Logger LOG = System.getLogger("dev.ringloom");
    private static final Constructor<?> WITH_SCHEDULER = findConstructor();

    private PollerThreads() {
    }

    private static Constructor<?> findConstructor() {
        try {
            Constructor<?> c = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder")
                    .getDeclaredConstructor(Executor.class);
            if (c.trySetAccessible()) {
                c.newInstance((Executor) Runnable::run);   // refuses where the VM has no continuations
                return c;
            }
            Module m = PollerThreads.class.getModule();
            fallBack("java.lang is not open to ringloom (run with --add-opens java.base/java.lang="
                    + (m.isNamed() ? m.getName() : "ALL-UNNAMED") + ")");
        } catch (InvocationTargetException e) {
            fallBack("this VM refuses virtual threads with a scheduler (" + e.getCause() + ")");
        } catch (ReflectiveOperationException | RuntimeException e) {
            fallBack("this JDK has no virtual thread builder with a scheduler (" + e + ")");
        }
        return null;
    }

    private static void fallBack(String why) {
        LOG.log(System.Logger.Level.INFO, "ringloom's poller-scheduled virtual threads run on the JDK's scheduler"
                + " instead: " + why);
    }

    /** True if {@link #builder} schedules on the given executor (else it falls back to the JDK's scheduler). */
    static boolean available() {
        return WITH_SCHEDULER != null;
    }

    /** A virtual thread builder whose threads {@code scheduler} runs; {@link Thread#ofVirtual()} if unavailable. */
    static Thread.Builder.OfVirtual builder(Executor scheduler) {
        if (scheduler == null || WITH_SCHEDULER == null) {
            return Thread.ofVirtual();
        }
        try {
            return (Thread.Builder.OfVirtual) WITH_SCHEDULER.newInstance(scheduler);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the JDK's virtual thread builder failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the JDK's virtual thread builder is not accessible", e);
        }
    }
}
