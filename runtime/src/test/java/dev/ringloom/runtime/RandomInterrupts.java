package dev.ringloom.runtime;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Interrupts a target thread at a random moment of each call it announces: the target sets {@link #announced} to
 * a new positive round before the call and to its negative after, and clears its interrupt status itself. The
 * interrupt lands before, during or after the kernel's work, so every exit path of the call is taken over many
 * rounds. {@link #run} is the usual way in.
 */
final class RandomInterrupts implements AutoCloseable {
    /** A test's calls, each announced through the {@code interrupts} it is given. */
    @FunctionalInterface
    interface Body {
        void run(RandomInterrupts interrupts) throws Exception;
    }

    final AtomicInteger announced = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread interrupter;

    RandomInterrupts(Thread target, int maxSpins) {
        interrupter = Thread.ofPlatform().daemon().start(() -> {
            SplittableRandom rnd = new SplittableRandom(7);
            int seen = 0;
            while (!stop.get()) {
                int round = announced.get();
                if (round <= 0 || round == seen) {
                    Thread.onSpinWait();
                    continue;
                }
                seen = round;
                for (int spin = rnd.nextInt(maxSpins); spin > 0; spin--) {
                    Thread.onSpinWait();
                }
                if (announced.get() == round) {
                    target.interrupt();
                }
            }
        });
    }

    /**
     * Runs {@code body} on a new virtual thread, interrupted at a random moment (up to {@code maxSpins} spin-waits
     * in) of each call it announces, and returns once the thread ended; what the body threw is thrown here, on the
     * test's thread.
     */
    static void run(int maxSpins, Body body) throws Exception {
        AtomicReference<RandomInterrupts> interrupts = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread target = Thread.ofVirtual().unstarted(() -> {
            try {
                body.run(interrupts.get());     // set before the start
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try (RandomInterrupts ri = new RandomInterrupts(target, maxSpins)) {
            interrupts.set(ri);
            target.start();
            target.join();
        }
        switch (failure.get()) {
            case null -> { }
            case Error e -> throw e;
            case Exception e -> throw e;
            case Throwable t -> throw new AssertionError(t);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        interrupter.join();
    }
}
