package dev.ringloom.runtime;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Interrupts a target thread at a random moment of each call it announces: the target sets {@link #announced} to
 * a new positive round before the call and to its negative after, and clears its interrupt status itself. The
 * interrupt lands before, during or after the kernel's work, so every exit path of the call is taken over many
 * rounds.
 */
final class RandomInterrupts implements AutoCloseable {
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

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        interrupter.join();
    }
}
