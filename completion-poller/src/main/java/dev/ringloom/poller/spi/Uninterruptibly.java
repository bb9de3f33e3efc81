package dev.ringloom.poller.spi;

import java.util.concurrent.CountDownLatch;

/**
 * Waits that a thread must sit out whatever its interrupt status says — a poller's start and end, a close waiting
 * for the selector to let go of its channel — because they are not ops the caller may give up: the status is kept for the caller.
 */
public final class Uninterruptibly {
    private Uninterruptibly() {
    }

    /** Waits for {@code latch} across interrupts; the interrupt status is set again afterwards if one came. */
    public static void await(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
